"""Where uploaded recordings and transcripts live: one small interface, a local directory now.

Objects are named by keys the service makes (`calls/<call id>/original.<ext>`); a client's file
name is never part of a path. Writes go to a temporary file that is fsynced and renamed into
place, so an object either exists whole or not at all.

Each temp file (`tmp/<uuid>.part`) carries an exclusive `flock` from the process writing it until
it is committed or discarded; the kernel drops the lock when that process dies. So
`sweep_temp()`, run at start-up, removes exactly the temp files nobody holds: those of a
server killed mid-upload, never one another process (sharing the store) is still writing.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)

# Lock descriptors of this process's temp files, by path; released on commit or discard.
_held: dict[str, int] = {}
_held_lock = threading.Lock()


def _hold(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh file: nobody else can hold it
    with _held_lock:
        _held[str(path)] = fd


def _release(path: Path) -> None:
    with _held_lock:
        fd = _held.pop(str(path), None)
    if fd is not None:
        os.close(fd)  # closing the descriptor drops its flock


class AudioStore(Protocol):
    def open_temp(self) -> tuple[BinaryIO, str]:
        """A new temporary object to stream into; returns the open file and its temp key."""

    def commit(self, temp_key: str, key: str) -> None:
        """Durably move a finished temp object to `key` (fsync + atomic rename)."""

    def discard(self, temp_key: str) -> None:
        """Remove a temp object (an aborted or duplicate upload)."""

    def sweep_temp(self) -> int:
        """Remove temp objects that no running process is writing; returns how many."""

    def local_path(self, key: str) -> Path:
        """A local file with the object's bytes, for the analysis (which reads files)."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object under `prefix` (a call's folder)."""


class LocalAudioStore:
    """Objects are files under `root`; temp objects under `root/tmp`."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"storage key escapes the store: {key!r}")
        return path

    def open_temp(self) -> tuple[BinaryIO, str]:
        temp_key = f"tmp/{uuid.uuid4().hex}.part"
        path = self._path(temp_key)
        f = open(path, "xb")  # noqa: SIM115 - the caller streams into it and closes it
        try:
            _hold(path)
        except BaseException:
            f.close()
            path.unlink(missing_ok=True)
            raise
        return f, temp_key

    def commit(self, temp_key: str, key: str) -> None:
        src, dst = self._path(temp_key), self._path(key)
        try:
            with open(src, "rb") as f:
                os.fsync(f.fileno())
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        finally:
            _release(src)
        dir_fd = os.open(dst.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself must survive a power cut
        finally:
            os.close(dir_fd)

    def discard(self, temp_key: str) -> None:
        path = self._path(temp_key)
        try:
            path.unlink(missing_ok=True)
        finally:
            _release(path)

    def sweep_temp(self) -> int:
        """Remove temp files no live process holds (left by a killed server). Returns how many."""
        removed = 0
        for path in (self.root / "tmp").glob("*.part"):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # being written by a running process
            try:
                path.unlink(missing_ok=True)
                removed += 1
            finally:
                os.close(fd)
        if removed:
            log.info("removed %d temp file(s) left by an interrupted upload or live call", removed)
        return removed

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def get_store(root: Path) -> LocalAudioStore:
    return LocalAudioStore(root)
