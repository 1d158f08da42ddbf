"""`talktrack restore PATH`: put a backup of `talktrack backup` back (docs/backup.md).

Stop the server first. Every file of the backup is checked against the manifest before anything is
touched: a damaged backup is one error, and nothing changes. A target that already holds data
(accounts, recordings or voice profiles) is refused unless `--force`. Then the recordings go into
the audio store (a folder or S3), and the database comes last: SQLite's file is renamed into place
whole, PostgreSQL's dump is restored in one transaction. Until that last step the old database is
untouched; an interrupted restore is finished by running it again with `--force`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "restore", help=summary,
        description="Restore a backup written by `talktrack backup` into this installation's database, audio "
                    "store and data directory (the same settings as `talktrack serve`). Stop the server first.")
    parser.add_argument("path", type=Path, metavar="PATH", help="the backup folder")
    parser.add_argument("--force", action="store_true",
                        help="replace what the target already holds (its database, recordings and voice profiles)")
    parser.set_defaults(handler=_restore)


def _restore(args: argparse.Namespace) -> int:
    started = time.monotonic()
    manifest, where = restore_backup(args.path, force=args.force)
    c = manifest.counts
    print(f"restored {c.get('calls', 0)} calls ({len(manifest.recordings)} recordings), "
          f"{c.get('scorecards', 0)} scorecards, {c.get('outcomes', 0)} outcomes and "
          f"{c.get('organizations', 0)} organizations from the backup of {manifest.created_at} into {where} "
          f"in {time.monotonic() - started:.1f} s")
    for note in manifest.notes:
        print(f"note: {note}")
    return 0


def _holdings(settings: Any, kind: str, url: str) -> list[str]:
    """What the target already holds, in words (empty: nothing to lose)."""
    from service.commands.backup_db import pg_state, sqlite_holds_data
    from service.storage import LocalAudioStore, get_store

    held: list[str] = []
    orgs = sqlite_holds_data(url) if kind == "sqlite" else pg_state(url)[0]
    if orgs:
        held.append(f"{orgs} organization(s) in its database")
    store = get_store(settings)
    if isinstance(store, LocalAudioStore):
        calls = store.root / "calls"
        n = sum(1 for p in calls.rglob("*") if p.is_file()) if calls.is_dir() else 0
        if n:
            held.append(f"{n} recording(s) in {store.root}")
    profiles = settings.profiles_dir
    n = sum(1 for p in profiles.rglob("*") if p.is_file()) if profiles.is_dir() else 0
    if n:
        held.append(f"{n} voice profile file(s)")
    return held


def restore_backup(path: Path, *, force: bool = False) -> tuple[Any, str]:
    """Check and restore the backup at `path`; returns its manifest and where it went, in words."""
    from service.commands.backup_db import (
        PG_FILE,
        SQLITE_FILE,
        database_kind,
        pg_restore,
        pg_state,
        sqlite_path,
    )
    from service.commands.backup_set import BackupError, Manifest, fsync_dir, safe_relative, verify
    from service.core.config import get_settings
    from service.storage import get_store

    folder = path.absolute()
    manifest = Manifest.read(folder)
    verify(folder, manifest)  # every byte, before anything is touched
    for name, key in manifest.recordings.items():
        if name not in manifest.files or safe_relative(key).parts[0] != "calls":
            raise BackupError(f"the backup at {folder} is damaged: its manifest names the recording {key!r} "
                              "oddly; nothing was restored")
    settings = get_settings()
    url = settings.resolved_database_url()
    kind = database_kind(url)
    if kind != manifest.database:
        raise BackupError(f"the backup holds a {manifest.database} database and this installation uses "
                          f"{kind}: restore it where TALKTRACK_DATABASE_URL names a {manifest.database} database")
    if kind == "sqlite":
        db = sqlite_path(url).absolute()
        users = _processes_with_open(db)
        if users:
            raise BackupError(f"the server seems to be running: process {', '.join(map(str, users))} has {db} open. "
                              "Stop the server (and any `talktrack` command using this data directory), then "
                              "restore")
    held = _holdings(settings, kind, url)
    if held and not force:
        where = settings.data_dir if kind == "sqlite" else "the database and audio store"
        raise BackupError(f"{where} already holds data ({', '.join(held)}); restoring would replace it. "
                          "Stop the server, then run `talktrack restore --force` to replace it, or restore "
                          "into an empty data directory (TALKTRACK_DATA_DIR)")
    if kind == "postgresql":
        _, revision = pg_state(url)
        if revision is not None and revision != manifest.revision:
            raise BackupError(f"the database is at schema revision {revision} and the backup at "
                              f"{manifest.revision}: restore into a new, empty database (createdb) instead")
    store = get_store(settings)
    store.check()
    data_dir = settings.data_dir.absolute()
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = data_dir / f".restore-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        _put_recordings(store, folder, manifest)
        _put_files(folder, manifest, data_dir, staging, settings)
        if kind == "sqlite":
            db = sqlite_path(url).absolute()
            db.parent.mkdir(parents=True, exist_ok=True)
            staged = staging / SQLITE_FILE
            shutil.copyfile(folder / SQLITE_FILE, staged)
            with open(staged, "rb") as f:
                os.fsync(f.fileno())
            for leftover in (Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
                leftover.unlink(missing_ok=True)  # the old database's journal must not be replayed onto this one
            os.replace(staged, db)  # the switch: the old database or the restored one, never half of each
            fsync_dir(db.parent)
            where = str(data_dir)
        else:
            pg_restore(url, folder / safe_relative(PG_FILE))
            where = "the PostgreSQL database"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _forget_cached_keys(settings)
    return manifest, where


def _forget_cached_keys(settings: Any) -> None:
    """Change the revocation stamp, so that no process trusts an API key it cached before the restore."""
    from service.core.key_revocations import KeyRevocations

    try:
        KeyRevocations(settings).announce()
    except Exception as exc:  # the shared Redis is away: a restarted server caches nothing old anyway
        print(f"note: the API key cache stamp could not be changed ({type(exc).__name__}); restart every "
              "API process")


def _processes_with_open(path: Path) -> list[int]:
    """Other processes that have the SQLite database (or its WAL) open: a server still running would
    go on writing to the replaced file. Linux's /proc; where it cannot tell, none."""
    names = {str(path), f"{path}-wal"}
    found: list[int] = []
    proc = Path("/proc")
    if not path.exists() or not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return sorted(found)


def _put_recordings(store: Any, folder: Path, manifest: Any) -> None:
    """Write each backed-up recording to its key in the audio store (temp object, then commit)."""
    from service.commands.backup_set import CHUNK, safe_relative

    for name, key in sorted(manifest.recordings.items()):
        writer, temp_key = store.open_temp()
        try:
            with open(folder / safe_relative(name), "rb") as f:
                while chunk := f.read(CHUNK):
                    writer.write(chunk)
            writer.close()
            store.commit(temp_key, key)
        except BaseException:
            writer.close()
            store.discard(temp_key)
            raise


def _put_files(folder: Path, manifest: Any, data_dir: Path, staging: Path, settings: Any) -> None:
    """Voice profiles and the secret key: the backup's replace the target's."""
    from service.commands.backup_set import safe_relative
    from service.core.secret_box import KEY_FILE

    names = sorted(manifest.files)
    profiles = [n for n in names if n.startswith("profiles/")]
    if profiles or settings.profiles_dir.is_dir():
        new = staging / "profiles"
        new.mkdir()
        for name in profiles:
            dst = new / safe_relative(name).relative_to("profiles")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / safe_relative(name), dst)
        old = staging / "profiles.old"
        if settings.profiles_dir.is_dir():
            os.replace(settings.profiles_dir, old)
        settings.profiles_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new, settings.profiles_dir)
    if KEY_FILE in manifest.files:
        shutil.copy2(folder / KEY_FILE, staging / KEY_FILE)
        os.replace(staging / KEY_FILE, data_dir / KEY_FILE)
