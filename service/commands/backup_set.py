"""A backup on disk: a folder of files and a `manifest.json` naming each with its size and SHA-256.

    <backup>/manifest.json          written last: a folder without it is no backup
    <backup>/talktrack.db           SQLite (online backup API), or
    <backup>/database.dump          PostgreSQL (pg_dump custom format)
    <backup>/audio/calls/<id>/...   the recordings the backed-up rows name, as stored
    <backup>/profiles/*.json        voice profiles of `talktrack enroll`
    <backup>/secret.key             the key that encrypts webhook secrets (when it is a file)

A backup is written into `<backup>.partial-<random>` beside its place and renamed there whole, so
a backup interrupted half-way is never taken for one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from transcription.errors import TalktrackError

MANIFEST = "manifest.json"
FORMAT = "talktrack-backup"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(TalktrackError):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass
class Manifest:
    """What a backup holds. `files`: relative path -> {"bytes", "sha256"}."""

    created_at: str
    database: str  # "sqlite" | "postgresql"
    revision: str | None  # the Alembic revision of the backed-up schema
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    recordings: dict[str, str] = field(default_factory=dict)  # audio file -> its storage key
    missing: list[str] = field(default_factory=list)  # storage keys named by rows but not in the store
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        body = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": self.created_at,
                "database": self.database, "revision": self.revision, "counts": self.counts,
                "files": self.files, "recordings": self.recordings, "missing": self.missing, "notes": self.notes}
        return json.dumps(body, indent=1, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not folder.is_dir():
            raise BackupError(f"{folder} is not a folder: give the folder `talktrack backup` wrote")
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"{folder} is not a Talktrack backup (it has no {MANIFEST}; a backup that was "
                              "interrupted has none)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackupError(f"the backup at {folder} is damaged: its {MANIFEST} cannot be read ({exc})") from None
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise BackupError(f"{folder} is not a Talktrack backup ({MANIFEST} is not one of its manifests)")
        if body.get("version") != FORMAT_VERSION:
            raise BackupError(f"the backup at {folder} has format version {body.get('version')}; this Talktrack "
                              f"reads version {FORMAT_VERSION}")
        try:
            return cls(created_at=str(body["created_at"]), database=str(body["database"]),
                       revision=body.get("revision"), counts=dict(body.get("counts") or {}),
                       files=dict(body["files"]), recordings=dict(body.get("recordings") or {}),
                       missing=list(body.get("missing") or []), notes=list(body.get("notes") or []))
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"the backup at {folder} is damaged: its {MANIFEST} lacks {exc}") from None


def safe_relative(name: str) -> PurePosixPath:
    """A manifest path, refused if it could leave the backup folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(p in ("", ".", "..") for p in path.parts) or "\\" in name:
        raise BackupError(f"the backup's manifest names a file outside the backup: {name!r}")
    return path


def file_digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def write_chunks(chunks: Iterable[bytes], target: BinaryIO) -> tuple[int, str]:
    """Copy `chunks` into `target`; returns (bytes, SHA-256 hex) of what was written."""
    sha = hashlib.sha256()
    size = 0
    for chunk in chunks:
        target.write(chunk)
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


def verify(folder: Path, manifest: Manifest) -> None:
    """Every file the manifest names is there with its size and checksum; else one error naming
    the first that is not (and how many are not)."""
    bad: list[str] = []
    for name, meta in sorted(manifest.files.items()):
        path = folder / safe_relative(name)
        try:
            size, sha = file_digest(path)
        except FileNotFoundError:
            bad.append(f"{name} is missing")
            continue
        except OSError as exc:
            bad.append(f"{name} cannot be read ({exc.strerror})")
            continue
        if size != meta.get("bytes") or sha != meta.get("sha256"):
            bad.append(f"{name} does not match its checksum")
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise BackupError(f"the backup at {folder} is damaged: {bad[0]}{more}; nothing was restored")


@contextmanager
def new_backup_folder(target: Path) -> Iterator[Path]:
    """A folder to write a backup into, renamed to `target` when the block ends without an error
    (and removed when it does not). `target` must not exist, or be an empty folder."""
    target = target.absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder: give a new path, so that no "
                          "earlier backup is overwritten")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} does not exist: create it first, or give another path")
    partial = target.with_name(f"{target.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        partial.mkdir()
    except OSError as exc:
        raise BackupError(f"cannot write a backup in {target.parent}: {exc.strerror}") from None
    try:
        yield partial
        if target.is_dir():
            target.rmdir()
        os.replace(partial, target)
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_file(src: Path, folder: Path, name: str, manifest: Manifest) -> None:
    """Copy `src` to `folder/name` (keeping its mode) and record it in the manifest."""
    dst = folder / safe_relative(name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as f, open(dst, "xb") as out:
        size, sha = write_chunks(iter(lambda: f.read(CHUNK), b""), out)
        out.flush()
        os.fsync(out.fileno())
    shutil.copymode(src, dst)
    manifest.files[name] = {"bytes": size, "sha256": sha}


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
