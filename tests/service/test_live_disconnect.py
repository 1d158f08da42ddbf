"""A live client that drops its connection (no close frame) ends its call quietly: the
call is stored, and the server's log holds no traceback. Both backends."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import numpy as np

from transcription.audio import load_audio


def speech_pcm(h: Any) -> bytes:
    audio = load_audio(h.asr / "jfk.flac")
    mono = audio.mean(axis=0) if audio.ndim == 2 else audio
    return (np.clip(mono, -1.0, 1.0) * 32767).astype("<i2").tobytes()


async def stream_then_drop(url: str, key: str, pcm: bytes) -> str:
    """Start a call, stream speech (events flow back), then drop the TCP connection."""
    from websockets.asyncio.client import connect

    ws = await connect(url, additional_headers={"Authorization": f"Bearer {key}"})
    await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "channels": 1}))
    started = json.loads(await asyncio.wait_for(ws.recv(), 120))
    assert started["type"] == "started", started
    for i in range(0, len(pcm), 3200):
        await ws.send(pcm[i:i + 3200])
        await asyncio.sleep(0.005)
    await asyncio.sleep(1.0)
    ws.transport.abort()  # gone: no close frame, the server finds out when it next sends
    await asyncio.sleep(0.5)
    return str(started["call_id"])


def test_a_dropped_live_client_leaves_no_traceback(stack: Any, h: Any) -> None:
    log = stack.tmp / "server.log"
    offset = log.stat().st_size
    pcm = speech_pcm(h)
    url = stack.url.replace("http://", "ws://") + "/v1/live"
    call_ids = [asyncio.run(asyncio.wait_for(stream_then_drop(url, stack.keys["admin"], pcm), 180))
                for _ in range(3)]
    with stack.client("admin") as c:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(c.get(f"/v1/calls/{i}").status_code != 200 for i in call_ids):
            time.sleep(0.5)
        assert all(c.get(f"/v1/calls/{i}").status_code == 200 for i in call_ids)  # each call was stored
        for i in call_ids:
            c.delete(f"/v1/calls/{i}")
    time.sleep(1.0)  # an unretrieved task exception is logged when the task is collected
    written = log.read_bytes()[offset:].decode("utf-8", "replace")
    assert "Traceback" not in written and "Task exception" not in written, written[-3000:]
    assert "events stopped reaching the socket" not in written
