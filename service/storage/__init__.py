"""Where uploaded recordings, transcripts and live calls' audio live: one small interface
(`AudioStore`), two backends.

- `LocalAudioStore` (the default): files under `TALKTRACK_AUDIO_DIR`, a directory every worker reads.
- `S3AudioStore` (`TALKTRACK_STORAGE_URL=s3://bucket/prefix`): objects in S3-compatible storage,
  configured by boto3's own `AWS_*` variables, so no machine needs a shared disk.

Objects are named by keys the service makes (`calls/<call id>/original.<ext>`); a client's file
name is never part of a key. A writer streams into a temporary object (`open_temp`), which
`commit` moves to its key whole, or `discard` removes: an object either exists whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from service.core.config import Settings
from service.core.errors import StorageUnavailable
from service.storage.local import LocalAudioStore

__all__ = ["AudioStore", "LocalAudioStore", "StorageUnavailable", "get_store", "watch_writer"]

class AudioStore(Protocol):
    def describe(self) -> str:
        """Where the objects are, for people (`/srv/audio`, `s3://bucket/prefix`)."""

    def check(self) -> None:
        """Raise `StorageUnavailable`, with what is wrong, unless the store can be used now."""

    def open_temp(self, background: bool = False) -> tuple[BinaryIO, str]:
        """A new temporary object to stream into; returns the writer and its temp key. The writer
        may be seeked back within its first 5 MiB and rewritten there (`wave` patches a live call's header
        last); bytes past the end are only appended. `background` (a live call): writes never wait on
        the store; what is uploaded meanwhile waits in a bounded queue (`watch_writer` hears about it)."""

    def commit(self, temp_key: str, key: str) -> None:
        """Durably move a finished (closed) temp object to `key`."""

    def discard(self, temp_key: str) -> None:
        """Remove a temp object, open or closed (an aborted or duplicate upload): nothing is left."""

    def sweep_temp(self) -> int:
        """Remove temp objects that no running process is writing; returns how many."""

    def digest(self, key: str) -> tuple[int, str]:
        """(size in bytes, SHA-256 hex) of an object or a closed temp object, read in chunks."""

    def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes `start`..`end` (inclusive) of an object, in chunks. The store is asked at once
        (errors raise here, before the first chunk), so a response can still turn into an error."""

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes for the analysis (which reads files), kept for the
        `with` block: the file itself for the local store, a temporary download for S3."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object under `prefix` (a call's folder)."""


def watch_writer(writer: BinaryIO, watcher: Callable[[str, str], None]) -> None:
    """Call `watcher(code, message)` when a background writer's storage falls behind
    (`storage_behind`), catches up (`storage_caught_up`) or loses the recording (`storage_failed`);
    a writer with nothing in the background (the local store) never calls it."""
    watch = getattr(writer, "watch", None)
    if callable(watch):
        watch(watcher)


def get_store(settings: Settings) -> AudioStore:
    """The process's audio store, as the settings choose (one client per process and location)."""
    if settings.storage_url:
        # Keyed by boto3's variables too: a process whose environment changes (tests) gets a new client.
        return _s3_store(settings.storage_url, *(os.environ.get(v) for v in _CLIENT_ENV))
    return LocalAudioStore(settings.resolved_audio_dir())


_CLIENT_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_PROFILE")


@lru_cache(maxsize=8)
def _s3_store(url: str, *_client_env: str | None) -> AudioStore:
    from service.storage.s3 import S3AudioStore  # boto3 loads only where S3 is configured

    return S3AudioStore.from_url(url)
