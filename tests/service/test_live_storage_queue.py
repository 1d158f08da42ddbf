"""Live ingest never waits on storage: a live call's parts go to S3 through a bounded background queue
(`service.storage.s3_parts`). Against moto's real S3 server behind a proxy that is cut and restored:
writes return at once while storage is away, the call is told it fell behind and caught up, and the
object comes out whole; a queue that overflows fails the recording in words and leaves nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.outage import TcpProxy

PART = 5 * 1024 * 1024  # S3's smallest part


@pytest.fixture
def s3_proxy(s3_server: Any) -> Iterator[TcpProxy]:
    proxy = TcpProxy.in_front_of(s3_server.endpoint).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _store(s3_server: Any, proxy: TcpProxy, bucket: str) -> Any:
    import boto3

    from service.storage.s3 import CLIENT_CONFIG, S3AudioStore

    client = boto3.client("s3", endpoint_url=proxy.url(s3_server.endpoint), aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1", config=CLIENT_CONFIG)
    return S3AudioStore(bucket, "live", client=client, part_bytes=PART)


def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_parts_queue_while_storage_is_away_and_the_object_comes_out_whole(s3_server: Any,
                                                                         s3_proxy: TcpProxy) -> None:
    bucket = s3_server.new_bucket()
    store = _store(s3_server, s3_proxy, bucket)
    writer, temp_key = store.open_temp(background=True)
    heard: list[tuple[str, str]] = []
    writer.watch(lambda code, message: heard.append((code, message)))
    data = os.urandom(5 * PART + 12345)
    slowest = 0.0

    def write(chunk: bytes) -> None:
        nonlocal slowest
        t0 = time.perf_counter()
        writer.write(chunk)
        slowest = max(slowest, time.perf_counter() - t0)

    write(data[:2 * PART])  # the head stays in memory; part 2 goes up in the background
    _wait(lambda: writer._queue.waiting == 0)
    s3_proxy.cut()
    for start in range(2 * PART, len(data), 256 * 1024):  # parts 3..5 while S3 is away
        write(data[start:start + 256 * 1024])
    _wait(lambda: any(code == "storage_behind" for code, _ in heard))
    assert slowest < 0.5, slowest  # no write waited on storage (a part's upload would take seconds)
    behind = dict(heard)["storage_behind"]  # a part failed, or parts piled up: whichever came first
    assert behind.startswith(("audio storage is unavailable: cannot reach s3://",
                              "audio storage is slower than the call: 2 parts (10 MiB) are waiting")), behind
    s3_proxy.restore()
    writer.close()  # the end of the call: the queue drains, then the object is completed
    assert writer.error is None
    assert [code for code, _ in heard] == ["storage_behind", "storage_caught_up"]
    store.commit(temp_key, "calls/c1/original.wav")
    assert store.digest("calls/c1/original.wav") == (len(data), hashlib.sha256(data).hexdigest())
    assert s3_server.open_uploads(bucket) == []


def test_a_queue_that_overflows_fails_the_recording_in_words(s3_server: Any, s3_proxy: TcpProxy) -> None:
    from service.core.errors import StorageUnavailable

    bucket = s3_server.new_bucket()
    store = _store(s3_server, s3_proxy, bucket)
    writer, temp_key = store.open_temp(background=True)
    writer._queue.max_parts = 2  # the default (4 parts of 8 MiB) takes 40 MiB to fill
    heard: list[tuple[str, str]] = []
    writer.watch(lambda code, message: heard.append((code, message)))
    s3_proxy.cut()
    t0 = time.perf_counter()
    for _ in range(6):  # the head, then parts 2..6: part 2 is being tried, 3 and 4 wait, 5 overflows
        writer.write(b"\0" * PART)
    assert time.perf_counter() - t0 < 2.0
    failed = dict(heard)["storage_failed"]
    assert failed.startswith("audio storage fell behind: 2 parts of this call's audio (10 MiB) were already "
                             "waiting to be uploaded, so the recording cannot be kept whole")
    assert failed.endswith("the live transcript goes on, but the call will not be stored")
    s3_proxy.restore()
    writer.close()
    with pytest.raises(StorageUnavailable, match="audio storage fell behind"):
        store.commit(temp_key, "calls/c2/original.wav")
    store.discard(temp_key)
    assert s3_server.keys(bucket) == [] and s3_server.open_uploads(bucket) == []


def _silence_wav(seconds: float, channels: int = 2) -> Path:
    """A WAV file of `seconds` of near-silence (a little noise, so nothing is one repeated byte)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="tt-live-")) / "quiet.wav"
    frames = int(seconds * 16000)
    noise = (os.urandom(2 * channels * 16000))
    quiet = bytes(b & 0x03 for b in noise)  # amplitude of a few units: no speech
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(16000)
        for _ in range(frames // 16000):
            w.writeframes(quiet)
    return path


@pytest.mark.slow
def test_a_live_call_goes_on_while_storage_is_away(h: Any, s3_server: Any, s3_proxy: TcpProxy,
                                                  tmp_path: Path) -> None:
    """Through the server: a stereo call of 6 minutes (three 8 MiB parts) streamed as fast as it
    goes, S3 cut after its first part. The call hears `storage_behind`, then `storage_caught_up`
    once S3 is back, and the stored recording has every byte that was streamed."""
    from service.commands.live import read_recording, stream_recording

    bucket = s3_server.new_bucket()
    env = {**s3_server.env(bucket), "AWS_ENDPOINT_URL": s3_proxy.url(s3_server.endpoint)}
    wav = _silence_wav(400)
    with h.running_stack("sqlite", tmp_path, env) as stack:

        async def run() -> Any:
            async def cut_and_restore() -> None:
                await asyncio.sleep(0)
                while s3_proxy.connections < 3:  # the bucket check, then the first part's upload has begun
                    await asyncio.sleep(0.05)
                s3_proxy.cut()
                await asyncio.sleep(6)
                s3_proxy.restore()

            outage = asyncio.create_task(cut_and_restore())
            result = await stream_recording(stack.url.replace("http", "ws") + "/v1/live", stack.keys["rep1"],
                                            read_recording(wav), speed=0, chunk_s=1.0)
            await outage
            return result

        live = asyncio.run(run())
    codes = [(e["type"], e.get("code")) for e in live.events if e["type"] in ("warning", "error")]
    assert codes == [("warning", "storage_behind"), ("warning", "storage_caught_up")], live.events[-3:]
    ended = live.events[-1]
    assert ended["type"] == "ended" and ended["status"] == "queued", ended
    key = f"talktrack/calls/{ended['call_id']}/original.wav"
    assert key in s3_server.keys(bucket)
    body = s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    with wave.open(io.BytesIO(body)) as w:
        assert w.getnframes() * 4 == ended["bytes_received"]  # every streamed byte is in the recording
