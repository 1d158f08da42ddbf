"""Where uploaded recordings and transcripts live: one small interface, a local directory now.

Objects are named by keys the service makes (`calls/<call id>/original.<ext>`); a client's file
name is never part of a path. Writes go to a temporary file that is fsynced and renamed into
place, so an object either exists whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol


class AudioStore(Protocol):
    def open_temp(self) -> tuple[BinaryIO, str]:
        """A new temporary object to stream into; returns the open file and its temp key."""

    def commit(self, temp_key: str, key: str) -> None:
        """Durably move a finished temp object to `key` (fsync + atomic rename)."""

    def discard(self, temp_key: str) -> None:
        """Remove a temp object (an aborted or duplicate upload)."""

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
        return open(self._path(temp_key), "xb"), temp_key

    def commit(self, temp_key: str, key: str) -> None:
        src, dst = self._path(temp_key), self._path(key)
        with open(src, "rb") as f:
            os.fsync(f.fileno())
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        dir_fd = os.open(dst.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself must survive a power cut
        finally:
            os.close(dir_fd)

    def discard(self, temp_key: str) -> None:
        self._path(temp_key).unlink(missing_ok=True)

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
