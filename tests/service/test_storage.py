"""Both audio stores behind one interface: the local directory and S3 (a real moto server)."""

from __future__ import annotations

import hashlib
import os
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.core.errors import NotFound, StorageUnavailable
from service.storage import AudioStore, LocalAudioStore
from service.storage.s3 import S3AudioStore
from service.web.audio_response import RangeNotSatisfiable, byte_range

MIB = 1024 * 1024
S3_MIN_PART = 5 * MIB  # S3's smallest part: tests use it so a few MiB span several parts


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AudioStore]:
    if request.param == "local":
        yield LocalAudioStore(tmp_path / "audio")
    else:
        s3 = request.getfixturevalue("s3_server")
        yield S3AudioStore(s3.new_bucket(), "pre/fix", client=s3.client(), part_bytes=S3_MIN_PART)


def _leftovers(store: AudioStore, s3_server: Any | None = None) -> list[str]:
    """Every object and unfinished upload the store holds."""
    if isinstance(store, LocalAudioStore):
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
    assert isinstance(store, S3AudioStore)
    client = store.client
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=store.bucket).get("Contents", [])]
    uploads = [u["Key"] for u in client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])]
    return sorted(keys + [f"upload:{k}" for k in uploads])


def test_an_object_streams_in_commits_and_reads_back(store: AudioStore) -> None:
    data = os.urandom(11 * MIB + 12345)  # S3: parts 2 and 3 stream out, part 1 goes last, a short tail
    sink, temp_key = store.open_temp()
    for i in range(0, len(data), 64 * 1024):
        sink.write(data[i:i + 64 * 1024])
    sink.close()
    assert store.digest(temp_key) == (len(data), hashlib.sha256(data).hexdigest())
    store.commit(temp_key, "calls/c1/original.wav")
    assert _leftovers(store) == (["calls/c1/original.wav"] if isinstance(store, LocalAudioStore)
                                 else ["pre/fix/calls/c1/original.wav"])
    assert store.size("calls/c1/original.wav") == len(data)
    assert store.size("calls/c2/original.wav") is None
    assert b"".join(store.open_range("calls/c1/original.wav", 5 * MIB - 3, 5 * MIB + 2)) == data[5 * MIB - 3:5 * MIB + 3]
    assert b"".join(store.open_range("calls/c1/original.wav", len(data) - 1, len(data) - 1)) == data[-1:]
    with store.local_copy("calls/c1/original.wav") as path:
        assert path.name == "original.wav" and path.read_bytes() == data
    if isinstance(store, S3AudioStore):
        assert not path.exists()  # the download is removed after the analysis
    store.delete_prefix("calls/c1")
    assert store.size("calls/c1/original.wav") is None and _leftovers(store) == []


@pytest.mark.parametrize("size", [100, 11 * MIB])
def test_a_discarded_upload_leaves_nothing(store: AudioStore, size: int) -> None:
    """Aborted mid-stream (S3: the multipart upload is aborted) or after it closed."""
    sink, temp_key = store.open_temp()
    sink.write(os.urandom(size))
    store.discard(temp_key)
    sink.close()
    assert _leftovers(store) == []
    sink, temp_key = store.open_temp()
    sink.write(b"x" * size)
    sink.close()
    store.discard(temp_key)
    assert _leftovers(store) == []


def test_a_live_calls_wav_header_is_patched_at_the_end(store: AudioStore) -> None:
    """`wave` writes its header first and rewrites the sizes on close (a live call's recording)."""
    frames = os.urandom(6 * MIB)  # past one S3 part: the header's part is uploaded last
    sink, temp_key = store.open_temp()
    with wave.open(sink, "wb") as w:  # type: ignore[arg-type]
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        for i in range(0, len(frames), 3200):
            w.writeframesraw(frames[i:i + 3200])
    sink.close()
    store.commit(temp_key, "calls/live/original.wav")
    with store.local_copy("calls/live/original.wav") as path, wave.open(str(path), "rb") as r:
        assert r.getnframes() == len(frames) // 4 and r.readframes(r.getnframes()) == frames


def test_the_local_copy_of_a_missing_object_is_not_found(store: AudioStore) -> None:
    with pytest.raises((NotFound, FileNotFoundError)), store.local_copy("calls/gone/original.wav") as path:
        path.read_bytes()


def test_storage_keys_cannot_escape_the_store(store: AudioStore) -> None:
    for key in ("../outside", "calls/../../outside", "/etc/passwd"):
        with pytest.raises(ValueError, match="escapes"):
            store.size(key)


def test_s3_sweep_removes_what_a_killed_process_left(s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.storage.s3 as s3_module

    store = S3AudioStore(s3_server.new_bucket(), "p", client=s3_server.client(), part_bytes=S3_MIN_PART)
    finished, _ = store.open_temp()
    finished.write(b"abc")
    finished.close()  # a server killed between the upload and the commit
    unfinished, _ = store.open_temp()
    unfinished.write(os.urandom(11 * MIB))  # a server killed mid-upload: an open multipart upload
    assert len(_leftovers(store)) == 2
    assert store.sweep_temp() == 0  # younger than a day: maybe another process is still writing
    monkeypatch.setattr(s3_module, "TEMP_MAX_AGE_S", -60.0)
    assert store.sweep_temp() == 2
    assert _leftovers(store) == []


def test_s3_errors_say_what_is_wrong(s3_server: Any, h: Any) -> None:
    import boto3
    from botocore.exceptions import ClientError

    from service.storage.s3 import CLIENT_CONFIG, unavailable

    missing = S3AudioStore("no-such-bucket", client=s3_server.client(), part_bytes=S3_MIN_PART)
    with pytest.raises(StorageUnavailable, match="the bucket 'no-such-bucket' does not exist at http://127"):
        missing.check()
    sink, temp_key = missing.open_temp()
    sink.write(b"audio")
    sink.close()  # a writer keeps its failure (a live call keeps transcribing) ...
    with pytest.raises(StorageUnavailable, match="bucket 'no-such-bucket' does not exist"):
        missing.commit(temp_key, "calls/c/original.wav")  # ... and the commit raises it
    sink, temp_key = missing.open_temp()
    with wave.open(sink, "wb") as w:  # type: ignore[arg-type]  # a live call: a part fails mid-call
        w.setparams((1, 2, 16000, 0, "NONE", "not compressed"))
        for _ in range(200):
            w.writeframesraw(bytes(64 * 1024))  # what follows the failure is dropped, the call goes on
    sink.close()
    with pytest.raises(StorageUnavailable, match="bucket 'no-such-bucket' does not exist"):
        missing.digest(temp_key)

    closed_port = f"http://127.0.0.1:{h.free_port()}"
    down = S3AudioStore("b", client=boto3.client("s3", endpoint_url=closed_port, config=CLIENT_CONFIG,
                                                 aws_access_key_id="x", aws_secret_access_key="y",
                                                 region_name="us-east-1"))
    with pytest.raises(StorageUnavailable, match=f"cannot reach s3://b at {closed_port}"):
        down.check()

    refused = ClientError({"Error": {"Code": "InvalidAccessKeyId", "Message": "no such key"}}, "PutObject")
    assert str(unavailable(refused, "b", "https://s3.example")) == (
        "audio storage is unavailable: the S3 server refused the credentials or the access (InvalidAccessKeyId) "
        "for s3://b at https://s3.example")


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("bytes=0-99", (0, 99)), ("bytes=10-", (10, 999)), ("bytes=-100", (900, 999)),
    ("bytes=990-5000", (990, 999)), ("bytes=-5000", (0, 999)), ("bytes=0-1,5-6", None), ("items=0-1", None),
])
def test_byte_ranges(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=-0"])
def test_byte_ranges_past_the_end(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 1000)


def test_the_storage_url_is_checked_when_settings_load() -> None:
    from pydantic import ValidationError

    from service.core.config import Settings, split_storage_url

    assert split_storage_url("s3://audio/team-a/") == ("audio", "team-a")
    assert split_storage_url("s3://audio") == ("audio", "")
    with pytest.raises(ValidationError, match="should look like s3://bucket"):
        Settings(storage_url="/srv/audio")
    assert Settings(storage_url="").storage_url is None


def test_info_says_whether_the_bucket_can_be_used(s3_server: Any, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    from service.commands.info import collect

    bucket = s3_server.new_bucket()
    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(tmp_path))
    for name, value in s3_server.env(bucket).items():
        monkeypatch.setenv(name, value)
    assert collect()["audio_store"] == {"path": f"s3://{bucket}/talktrack (endpoint {s3_server.endpoint})",
                                        "calls": None, "status": "reachable"}
    monkeypatch.setenv("TALKTRACK_STORAGE_URL", "s3://gone/talktrack")
    assert collect()["audio_store"]["status"] == ("audio storage is unavailable: the bucket 'gone' does not exist "
                                                  f"at {s3_server.endpoint}")
