"""The S3-compatible audio store (`TALKTRACK_STORAGE_URL=s3://bucket/prefix`), through boto3.

The client is configured the way every AWS tool is (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, or a profile / instance role), so any
S3-compatible server works without Talktrack-specific settings.

A temp object (`<prefix>/tmp/<unix time>-<uuid>.part`) is written by `S3TempWriter` as a multipart upload,
one part (`PART_BYTES`) in memory at a time plus the first part, which is held until the end so
that a live call's WAV header can be patched last; a file smaller than one part goes up in one
PUT. `commit` copies it to its key on the server and deletes it; `discard` aborts the multipart
upload (or deletes the finished temp object), so an interrupted upload leaves no object. Temp
objects and multipart uploads older than `TEMP_MAX_AGE_S` are what a killed process left:
`sweep_temp` removes them (a bucket lifecycle rule can do the same).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from service.core.config import split_storage_url
from service.core.errors import NotFound, StorageUnavailable
from service.core.i18n import N_
from service.storage.s3_parts import PartQueue, Watcher

log = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024  # boto3's own multipart chunk size; S3's minimum part is 5 MiB
TEMP_MAX_AGE_S = 24 * 3600.0  # a temp object this old belongs to no running upload or live call
READ_CHUNK = 64 * 1024
# Fail within seconds when the server is down, instead of boto3's minute of retries.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})

_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "403"}


def unavailable(exc: Exception, bucket: str, endpoint: str) -> StorageUnavailable:
    """What went wrong talking to the store, in words a person can act on."""
    where = f"s3://{bucket} at {endpoint}"
    if isinstance(exc, NoCredentialsError):
        reason = "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile)"
    elif isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            reason = f"the bucket {bucket!r} does not exist at {endpoint}"
        elif code in _DENIED:
            reason = f"the S3 server refused the credentials or the access ({code}) for {where}"
        else:
            message = exc.response.get("Error", {}).get("Message", "")
            reason = f"the S3 server answered {code or 'an error'}{': ' + message if message else ''} ({where})"
    elif isinstance(exc, BotoCoreError):
        reason = f"cannot reach {where} ({type(exc).__name__})"
    else:
        reason = f"{type(exc).__name__} talking to {where}"
    return StorageUnavailable(N_("audio storage is unavailable: %(reason)s", reason=reason))


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in ("NoSuchKey", "404", "NotFound")


def _created(key: str, fallback: datetime) -> float:
    """When a temp object was started: from its name, since servers disagree on `Initiated` (moto
    reports a fixed date for every multipart upload); else the server's time."""
    stamp = PurePosixPath(key).name.split("-", 1)[0]
    return float(stamp) if stamp.isdigit() else fallback.timestamp()


class S3TempWriter:
    """A write-only file that streams into an S3 multipart upload.

    Write errors do not raise (a live call must keep transcribing): the writer aborts its upload,
    drops what follows and keeps the error in `error`, which `commit`/`digest` raise. With
    `background`, full parts are uploaded by a `PartQueue` thread (`service.storage.s3_parts`), so a
    write never waits on storage; `watch` hears when it falls behind, catches up or fails."""

    def __init__(self, client: Any, bucket: str, key: str, part_bytes: int, fail: Any,
                 background: bool = False) -> None:
        self._client, self._bucket, self._key, self._part_bytes = client, bucket, key, part_bytes
        self._fail = fail  # exception -> StorageUnavailable
        self._queue = PartQueue(self._send_part, fail) if background else None
        self._next_part = 2  # part 1 is the held head; streamed parts are numbered from 2
        self._head = bytearray()  # part 1, uploaded last so its bytes can still be rewritten
        self._tail = bytearray()  # the part being filled
        self._size = 0
        self._pos = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.error: StorageUnavailable | None = None
        self.closed = False

    # -- the file interface that uploads and `wave` use ------------------------------------------

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        target = {0: pos, 1: self._pos + pos, 2: self._size + pos}[whence]
        if not 0 <= target <= self._size:
            raise ValueError(f"seek to {target} outside 0..{self._size}")
        self._pos = target
        return target

    def flush(self) -> None:
        pass

    def watch(self, watcher: Watcher) -> None:
        """Be told (code, message) when background uploads fall behind, catch up or fail."""
        if self._queue is not None:
            self._queue.watch(watcher)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data).cast("B")
        n = len(view)
        if self.error is None and self._queue is not None and self._queue.error is not None:
            self.error = self._queue.error  # the background uploads failed: drop from here on
        if self.error is not None:  # failed: drop the bytes (the error surfaces on commit), keep counting
            self._pos += n
            self._size = max(self._size, self._pos)
            return n
        if self.closed:
            raise ValueError("write to a closed S3 temp object")
        if self._pos < self._size:  # rewriting bytes already written: only the held first part can be
            if self._pos + n > min(len(self._head), self._size):
                raise OSError("an S3 temp object can be rewritten only within its first part")
            self._head[self._pos:self._pos + n] = view
            self._pos += n
            return n
        self._pos += n
        self._size += n
        room = self._part_bytes - len(self._head)
        if room > 0:
            self._head += view[:room]
            view = view[room:]
        while len(view) and self.error is None:
            room = self._part_bytes - len(self._tail)
            self._tail += view[:room]
            view = view[room:]
            if len(self._tail) == self._part_bytes:  # a full part goes out as it is, no copy
                part, self._tail = self._tail, bytearray()
                self._upload_part(part)
        return n

    def close(self) -> None:
        """Finish the object (complete the multipart upload, or one PUT for a small file)."""
        if self.closed:
            return
        self.closed = True
        if self._queue is not None:
            self._queue.drain()  # the end of the call: wait for the parts still queued
            self.error = self.error or self._queue.error
        if self.error is not None:
            self.abort()
            return
        try:
            if self._upload_id is None:
                self._client.put_object(Bucket=self._bucket, Key=self._key, Body=self._head + self._tail)
            else:
                if self._tail:
                    self._upload_part(self._tail)
                self._upload_part(self._head, number=1)
                if self.error is None:
                    parts = sorted(self._parts, key=lambda p: int(p["PartNumber"]))
                    self._client.complete_multipart_upload(Bucket=self._bucket, Key=self._key,
                                                           UploadId=self._upload_id, MultipartUpload={"Parts": parts})
        except (BotoCoreError, ClientError) as exc:
            self._failed(exc)
        finally:
            self._head = bytearray()
            self._tail = bytearray()

    def abort(self) -> None:
        """Drop the object: abort its multipart upload (no parts stay billed, no object appears)."""
        self.closed = True
        self._head = bytearray()
        self._tail = bytearray()
        if self._queue is not None:
            self._queue.stop()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            try:
                self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)
            except (BotoCoreError, ClientError) as exc:
                log.warning("could not abort the multipart upload of %s (%s); the temp sweep will", self._key,
                            self._fail(exc))

    # -- internals ---------------------------------------------------------------------------------

    def _upload_part(self, body: bytearray, number: int | None = None) -> None:
        if number is None:
            number, self._next_part = self._next_part, self._next_part + 1
            if self._queue is not None and not self.closed:
                self._queue.put(number, body)  # never waits; a full queue fails the writer, in words
                return
        try:
            self._send_part(number, body)
        except (BotoCoreError, ClientError) as exc:
            self._failed(exc)

    def _send_part(self, number: int, body: bytearray) -> None:
        """Upload one part (starting the multipart upload first); raises what boto3 raises."""
        if self._upload_id is None:
            self._upload_id = self._client.create_multipart_upload(Bucket=self._bucket, Key=self._key)["UploadId"]
        etag = self._client.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                        PartNumber=number, Body=body)["ETag"]
        self._parts.append({"PartNumber": number, "ETag": etag})

    def _failed(self, exc: Exception) -> None:
        self.error = self._fail(exc)
        log.warning("%s", self.error)
        self.abort()


class S3AudioStore:
    """Objects under `s3://bucket/prefix/`; temp objects under `prefix/tmp/`."""

    def __init__(self, bucket: str, prefix: str = "", *, client: Any = None, part_bytes: int = PART_BYTES) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.session.Session().client("s3", config=CLIENT_CONFIG)
        self.part_bytes = part_bytes
        self._writers: dict[str, S3TempWriter] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> S3AudioStore:
        bucket, prefix = split_storage_url(url)
        return cls(bucket, prefix)

    @property
    def endpoint(self) -> str:
        return str(self.client.meta.endpoint_url)

    def _unavailable(self, exc: Exception) -> StorageUnavailable:
        return unavailable(exc, self.bucket, self.endpoint)

    def _key(self, key: str) -> str:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or any(p in ("..", ".") for p in parts):
            raise ValueError(f"storage key escapes the store: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/") + f" (endpoint {self.endpoint})"

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _missing(exc):  # HEAD answers a bare 404, without the NoSuchBucket body
                raise StorageUnavailable(N_("audio storage is unavailable: the bucket %(bucket)r does not exist at "
                                            "%(endpoint)s", bucket=self.bucket, endpoint=self.endpoint)) from None
            raise self._unavailable(exc) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None

    def open_temp(self, background: bool = False) -> tuple[BinaryIO, str]:
        temp_key = f"tmp/{int(time.time())}-{uuid.uuid4().hex}.part"  # its age is in its name
        writer = S3TempWriter(self.client, self.bucket, self._key(temp_key), self.part_bytes, self._unavailable,
                              background)
        with self._lock:
            self._writers[temp_key] = writer
        return cast(BinaryIO, writer), temp_key

    def _finished_writer(self, temp_key: str, *, keep: bool) -> None:
        """Close this process's writer of `temp_key` (if any) and raise what it failed with."""
        with self._lock:
            writer = self._writers.get(temp_key) if keep else self._writers.pop(temp_key, None)
        if writer is not None:
            writer.close()
            if writer.error is not None:
                raise writer.error

    def commit(self, temp_key: str, key: str) -> None:
        self._finished_writer(temp_key, keep=False)
        src = self._key(temp_key)
        try:
            # Managed copy: one server-side CopyObject, or a multipart copy above 5 GB; no bytes pass here.
            self.client.copy({"Bucket": self.bucket, "Key": src}, self.bucket, self._key(key))
            self.client.delete_object(Bucket=self.bucket, Key=src)
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc) from None

    def discard(self, temp_key: str) -> None:
        with self._lock:
            writer = self._writers.pop(temp_key, None)
        if writer is not None and not writer.closed:
            writer.abort()  # never completed: no object to delete
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(temp_key))
        except (BotoCoreError, ClientError) as exc:  # called on error paths: log, and leave it to the sweep
            log.warning("could not delete the temp object %s (%s); the temp sweep will", temp_key,
                        self._unavailable(exc))

    def sweep_temp(self) -> int:
        tmp = self._key("tmp") + "/"
        cutoff = datetime.now(UTC).timestamp() - TEMP_MAX_AGE_S
        removed = 0
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=tmp):
                for obj in page.get("Contents", []):
                    if _created(obj["Key"], obj["LastModified"]) < cutoff:
                        self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])
                        removed += 1
            for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=tmp):
                for upload in page.get("Uploads", []):
                    if _created(upload["Key"], upload["Initiated"]) < cutoff:
                        self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"],
                                                           UploadId=upload["UploadId"])
                        removed += 1
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc) from None
        if removed:
            log.info("removed %d temp object(s) left by an interrupted upload or live call", removed)
        return removed

    def digest(self, key: str) -> tuple[int, str]:
        self._finished_writer(key, keep=True)
        sha = hashlib.sha256()
        size = 0
        for chunk in self._get(self._key(key)):
            sha.update(chunk)
            size += len(chunk)
        return size, sha.hexdigest()

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                return None
            raise self._unavailable(exc) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        return self._get(self._key(key), f"bytes={start}-{end}")

    def _get(self, full_key: str, byte_range: str | None = None) -> Iterator[bytes]:
        args = {"Bucket": self.bucket, "Key": full_key} | ({"Range": byte_range} if byte_range else {})
        try:
            body = self.client.get_object(**args)["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc) from None
        return self._chunks(body)

    def _chunks(self, body: Any) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(READ_CHUNK)
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None
        finally:
            body.close()

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        # Outside the data directory, and removed after the `with` block: no audio stays on this machine.
        with tempfile.TemporaryDirectory(prefix="talktrack-audio-") as folder:
            path = Path(folder) / PurePosixPath(key).name
            started = time.monotonic()
            try:
                self.client.download_file(self.bucket, self._key(key), str(path))
            except ClientError as exc:
                if not _missing(exc):
                    raise self._unavailable(exc) from None
                self.check()  # a missing bucket says so; else the object is gone
                raise NotFound(N_("the recording is no longer stored")) from None
            except BotoCoreError as exc:
                raise self._unavailable(exc) from None
            log.debug("downloaded %s (%d bytes) in %.2f s", key, path.stat().st_size, time.monotonic() - started)
            yield path

    def delete_prefix(self, prefix: str) -> None:
        folder = self._key(prefix)
        try:
            keys = [folder]
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder + "/"):
                keys += [obj["Key"] for obj in page.get("Contents", [])]
            for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
                self.client.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc) from None
