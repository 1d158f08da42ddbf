"""`talktrack backup PATH`: a consistent copy of the database, the recordings it names, voice profiles
and the secret key, while the server keeps running (docs/backup.md).

The database is copied first (SQLite's online backup, or `pg_dump` of one snapshot); then exactly the
recordings the copied rows name are read from the audio store (a folder or S3), each checked against
the checksum taken when it was uploaded. A call uploaded meanwhile is not in the backup, and its
recording is not copied; one deleted meanwhile is listed as missing. Every file goes into the
manifest with its size and SHA-256, and the folder appears at PATH only when it is complete.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "backup", help=summary,
        description="Back up the database (SQLite or PostgreSQL, from TALKTRACK_DATABASE_URL), the recordings "
                    "its calls name (from TALKTRACK_AUDIO_DIR or TALKTRACK_STORAGE_URL), voice profiles and the "
                    "secret key into a new folder. The server may keep running. Restore with `talktrack restore`.")
    parser.add_argument("path", type=Path, metavar="PATH", help="a new folder (or an empty one) for the backup")
    parser.set_defaults(handler=_backup)


def _backup(args: argparse.Namespace) -> int:
    from service.commands.backup_set import human_bytes

    started = time.monotonic()
    result = make_backup(args.path)
    counts = result.counts
    print(f"backed up {counts.get('calls', 0)} calls ({len(result.recordings)} recordings, "
          f"{human_bytes(sum(f['bytes'] for f in result.files.values()))} in all), "
          f"{counts.get('scorecards', 0)} scorecards, {counts.get('outcomes', 0)} outcomes and "
          f"{sum(1 for n in result.files if n.startswith('profiles/'))} voice profile files "
          f"in {time.monotonic() - started:.1f} s")
    for note in result.notes:
        print(f"note: {note}")
    print(args.path.absolute())
    return 0


def make_backup(path: Path) -> Any:
    """Write a backup of this installation's settings to `path`; returns its manifest."""
    from service.commands.backup_db import PG_FILE, SQLITE_FILE, database_kind, pg_backup, sqlite_backup
    from service.commands.backup_set import Manifest, copy_file, new_backup_folder
    from service.core.config import get_settings
    from service.core.secret_box import KEY_FILE
    from service.storage import get_store

    settings = get_settings()
    url = settings.resolved_database_url()
    kind = database_kind(url)
    store = get_store(settings)
    store.check()  # a store that is down: say so now, in its words
    manifest = Manifest(created_at=datetime.now(UTC).isoformat(timespec="seconds"), database=kind, revision=None)
    with new_backup_folder(path) as folder:
        db_file = SQLITE_FILE if kind == "sqlite" else PG_FILE
        snap = sqlite_backup(url, folder / db_file) if kind == "sqlite" else pg_backup(url, folder / db_file)
        manifest.revision, manifest.counts = snap.revision, snap.counts
        from service.commands.backup_set import file_digest

        size, sha = file_digest(folder / db_file)
        manifest.files[db_file] = {"bytes": size, "sha256": sha}
        for rec in snap.recordings:
            _copy_recording(store, rec, folder, manifest)
        profiles = settings.profiles_dir
        if profiles.is_dir():
            for src in sorted(p for p in profiles.rglob("*") if p.is_file()):
                copy_file(src, folder, "profiles/" + src.relative_to(profiles).as_posix(), manifest)
        key_file = settings.data_dir / KEY_FILE
        if settings.secret_key is not None:
            manifest.notes.append("webhook secrets are encrypted with TALKTRACK_SECRET_KEY, which is not in the "
                                  "backup: keep it with the backup, and set it again where you restore")
        elif key_file.is_file():
            copy_file(key_file, folder, KEY_FILE, manifest)
        if manifest.missing:
            manifest.notes.append(f"{len(manifest.missing)} recording(s) named by the database were not in the "
                                  "audio store (deleted while the backup ran, or lost before): their calls are "
                                  "restored without audio")
        (folder / "manifest.json").write_text(manifest.to_json() + "\n", encoding="utf-8")
    return manifest


def _copy_recording(store: Any, rec: Any, folder: Path, manifest: Any) -> None:
    """Copy one stored recording into the backup, checking it against its upload checksum."""
    from service.commands.backup_set import BackupError, safe_relative, write_chunks
    from service.core.errors import NotFound

    size = store.size(rec.key)
    if size is None:
        manifest.missing.append(rec.key)
        return
    name = f"audio/{rec.key}"
    dst = folder / safe_relative(name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(dst, "xb") as out:
            written, sha = write_chunks(store.open_range(rec.key, 0, size - 1) if size else iter(()), out)
    except NotFound:
        dst.unlink(missing_ok=True)
        manifest.missing.append(rec.key)
        return
    except FileNotFoundError:  # the local store: deleted between the size and the read
        dst.unlink(missing_ok=True)
        manifest.missing.append(rec.key)
        return
    if written != size:
        raise BackupError(f"the recording {rec.key} changed size while it was copied ({size} -> {written} bytes)")
    if rec.sha256 and sha != rec.sha256:
        manifest.notes.append(f"the stored recording {rec.key} differs from the file that was uploaded "
                              "(its checksum does not match the upload's): it is backed up as stored")
    manifest.files[name] = {"bytes": written, "sha256": sha}
    manifest.recordings[name] = rec.key
