"""The local-directory audio store (the default): objects are files under one root.

Writes go to a temporary file that is fsynced and renamed into place, so an object either exists
whole or not at all.

Each temp file (`tmp/<uuid>.part`) carries an exclusive `flock` from the process writing it until
it is committed or discarded; the kernel drops the lock when that process dies. So
`sweep_temp()`, run at start-up, removes exactly the temp files nobody holds: those of a
server killed mid-upload, never one another process (sharing the store) is still writing.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from service.core.errors import NotFound, StorageUnavailable
from service.core.i18n import N_

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


class LocalAudioStore:
    """Objects are files under `root`; temp objects under `root/tmp`."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        return str(self.root)

    def check(self) -> None:
        if not os.access(self.root / "tmp", os.W_OK):
            raise StorageUnavailable(N_("audio storage is unavailable: %(path)s is not writable", path=str(self.root)))

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"storage key escapes the store: {key!r}")
        return path

    def open_temp(self, background: bool = False) -> tuple[BinaryIO, str]:
        """A temp file (`background` is the S3 store's: a local write needs no upload thread)."""
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
        """The object's file (this backend only: the others have no local files)."""
        return self._path(key)

    def digest(self, key: str) -> tuple[int, str]:
        sha = hashlib.sha256()
        size = 0
        with open(self._path(key), "rb") as f:
            while chunk := f.read(1024 * 1024):
                sha.update(chunk)
                size += len(chunk)
        return size, sha.hexdigest()

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        f = open(self._path(key), "rb")  # noqa: SIM115 - closed by the generator
        f.seek(start)
        return _read_span(f, end - start + 1)

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self._path(key)  # already a local file: no copy
        try:
            with open(path, "rb") as f:  # a missing file is for good; a disk that fails may come back
                f.read(1)
        except FileNotFoundError:
            raise NotFound(N_("the recording is no longer stored")) from None
        except OSError as exc:
            raise StorageUnavailable(N_("audio storage is unavailable: %(error)s reading %(key)s",
                                        error=exc.strerror or type(exc).__name__, key=key)) from None
        yield path

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _read_span(f: BinaryIO, length: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    with f:
        while length > 0:
            data = f.read(min(chunk, length))
            if not data:
                return
            length -= len(data)
            yield data
