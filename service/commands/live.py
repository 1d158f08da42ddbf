"""`talktrack live FILE`: stream a recording through the live WebSocket at real-time speed (or
`--speed N`) and print the events as they arrive, for demos and tests.

Without `--url` it starts a private server on a loopback port (a temporary data directory, an
admin key made for the run), so one command shows the whole live path. `stream_recording()` is the
client the tests and `bench/live_latency.py` use.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from transcription.display import clock
from transcription.errors import TalktrackError

FloatArray = npt.NDArray[np.float32]


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "live",
        help=summary,
        description="Stream a recording at real-time speed through the live WebSocket (GET /v1/live) and print "
                    "its events. Without --url a private server is started on a loopback port.",
    )
    p.add_argument("file", type=Path, help="a recording (any format `talktrack analyze` reads)")
    p.add_argument("--speed", type=float, default=1.0, help="playback speed; 1 is real time (default), 0 as fast as possible")
    p.add_argument("--rep-channel", choices=("left", "right"), default="left", help="stereo: the rep's channel")
    p.add_argument("--language", metavar="auto|en|zh|CODE",
                   help="the call's spoken language (sent in the start message); default: the organization's "
                        "default, else English. `zh` (or zh-CN, Mandarin) reads it with the multilingual model")
    p.add_argument("--url", help="the server's WebSocket URL, e.g. ws://127.0.0.1:8000/v1/live")
    p.add_argument("--api-key", help="API key for --url (default: $TALKTRACK_API_KEY)")
    p.add_argument("--json", action="store_true", help="print each event as one JSON line")
    p.add_argument("--wait-analysis", action="store_true",
                   help="after the stream, wait for the stored call's offline analysis and print its metrics")
    p.set_defaults(handler=run)


@dataclass(slots=True)
class StreamResult:
    """What one streamed call gave: every event with its arrival time (`time.monotonic()`), and
    when each piece of audio was sent, so a caller can compute per-event latency."""

    events: list[dict[str, Any]] = field(default_factory=list)
    received_at: list[float] = field(default_factory=list)
    sent: list[tuple[float, float]] = field(default_factory=list)  # (audio seconds sent so far, wall time)
    bytes_sent: int = 0

    def sent_at(self, audio_s: float) -> float:
        """Wall time at which the audio up to `audio_s` had been sent completely."""
        for upto, wall in self.sent:
            if upto >= audio_s - 1e-6:
                return wall
        return self.sent[-1][1] if self.sent else 0.0

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]


def read_recording(path: Path) -> FloatArray:
    """The recording as (channels, n) 16 kHz float32; fake stereo (two copies of one mix) becomes mono."""
    from transcription.audio import load_audio
    from transcription.channels import ChannelOptions, classify_channels, to_mono

    samples = load_audio(path)
    if samples.shape[0] == 2:
        report = classify_channels(samples, ChannelOptions())
        if report.layout != "stereo":
            return to_mono(samples, report)[None, :]
    return samples


def to_pcm16(samples: FloatArray) -> bytes:
    """(channels, n) float samples to interleaved 16-bit little-endian PCM."""
    clipped = np.clip(samples.T, -1.0, 32767 / 32768)
    return bytes((clipped * 32768.0).astype("<i2").tobytes())


async def stream_recording(
    url: str, api_key: str | None, samples: FloatArray, *, speed: float = 1.0, chunk_s: float = 0.1,
    rep_channel: int = 0, start_extra: dict[str, Any] | None = None, auth_in_start: bool = False,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> StreamResult:
    """Stream `samples` ((channels, n), 16 kHz) to the live WebSocket at `speed` times real time
    (0: as fast as possible) in `chunk_s` frames, then send stop; returns when `ended` arrives."""
    from websockets.asyncio.client import connect

    channels = samples.shape[0]
    start: dict[str, Any] = {"type": "start", "sample_rate": 16000, "channels": channels, **(start_extra or {})}
    if channels == 2:
        start.setdefault("rep_channel", rep_channel)
    headers = {}
    if api_key and not auth_in_start:
        headers["Authorization"] = f"Bearer {api_key}"
    elif api_key:
        start["api_key"] = api_key
    result = StreamResult()
    pcm = to_pcm16(samples)
    step = int(chunk_s * 16000) * 2 * channels
    async with connect(url, additional_headers=headers, max_size=2**22) as ws:
        await ws.send(json.dumps(start))

        async def receive() -> None:
            async for raw in ws:
                event = json.loads(raw)
                result.events.append(event)
                result.received_at.append(time.monotonic())
                if on_event is not None:
                    on_event(event)
                if event.get("type") == "ended":
                    return

        receiver = asyncio.create_task(receive())
        t0 = time.monotonic()
        for i in range(0, len(pcm), step):
            chunk = pcm[i : i + step]
            upto = (i + len(chunk)) / (2 * channels * 16000)
            if speed > 0:
                delay = t0 + upto / speed - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            if receiver.done():
                break
            await ws.send(chunk)
            result.bytes_sent += len(chunk)
            result.sent.append((upto, time.monotonic()))
        if not receiver.done():
            await ws.send(json.dumps({"type": "stop"}))
        await receiver
    return result


@contextlib.contextmanager
def embedded_server(data_dir: Path | None = None, *, analyse: bool = False) -> Iterator[tuple[str, str]]:
    """A private Talktrack server on a free loopback port: yields (ws URL of /v1/live, admin key).
    Everything it stores goes to `data_dir` (default: a temporary directory removed afterwards).
    `analyse`: run the offline analysis of stored calls (otherwise they stay queued)."""
    import uvicorn

    from service.api.main import create_app
    from service.api.routes import live as live_routes
    from service.core.accounts import create_key, create_org
    from service.core.config import Settings
    from service.core.db import run_migrations, session_scope

    with contextlib.ExitStack() as stack:
        root = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="talktrack-live-")))
        settings = Settings(data_dir=root)
        run_migrations(settings)
        with session_scope(settings) as s:
            org = create_org(s, "live demo")
            key = create_key(s, org.id, "admin", name="talktrack live").secret
        app = create_app(settings, start_executor=analyse)
        if not any(getattr(r, "path", "") == "/v1/live" for r in app.routes):
            app.include_router(live_routes.router, prefix="/v1")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"))
        thread = threading.Thread(target=server.run, name="talktrack-live-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise TalktrackError("the embedded live server did not start")
            time.sleep(0.05)
        try:
            yield f"ws://127.0.0.1:{port}/v1/live", key
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            engine = getattr(app.state, "live_engine", None)
            if engine is not None:
                engine.shutdown()


def format_event(event: dict[str, Any]) -> str | None:
    """One readable line per event (None for events not worth a line)."""
    kind = event.get("type")
    if kind == "utterance":
        qs = "".join(f"  [{q['type']} question]" for q in event.get("questions", []))
        return f"{clock(event['start'])}-{clock(event['end'])} {event['role']:>8} ({event['speaker']}): {event['text']}{qs}"
    if kind == "suggestion":
        return f"{clock(event['at'])}  >>> {event['title']}: \"{event['text']}\"  ({event['trigger']}; {event['evidence']})"
    if kind == "error":
        return f"error {event.get('code')}: {event.get('message')}"
    if kind == "started":
        return f"live call {event['call_id']} started"
    if kind == "ended":
        return f"live call {event['call_id']} ended ({event['reason']}): {event['duration_s']:.1f} s, stored call {event['status']}"
    return None




def run(args: argparse.Namespace) -> int:
    import os

    if args.speed < 0:
        raise TalktrackError("--speed must be 0 (as fast as possible) or more")
    start_extra: dict[str, Any] = {}
    if args.language is not None:
        from transcription.languages import parse_language

        try:
            start_extra["language"] = parse_language(args.language)
        except ValueError as exc:
            raise TalktrackError(f"--language: {exc}") from exc
    samples = read_recording(args.file)

    def show(event: dict[str, Any]) -> None:
        line = json.dumps(event) if args.json else format_event(event)
        if line is not None:
            print(line, flush=True)

    rep_channel = 0 if args.rep_channel == "left" else 1

    def go(url: str, key: str | None) -> StreamResult:
        return asyncio.run(stream_recording(url, key, samples, speed=args.speed, rep_channel=rep_channel,
                                            start_extra=start_extra, on_event=show))

    if args.url:
        key = args.api_key or os.environ.get("TALKTRACK_API_KEY")
        result = go(args.url, key)
        if args.wait_analysis:
            _print_analysis(args.url, key, result)
        return _exit_code(result)
    with embedded_server(analyse=args.wait_analysis) as (url, key):
        result = go(url, key)
        if args.wait_analysis:
            _print_analysis(url, key, result)
    return _exit_code(result)


def _exit_code(result: StreamResult) -> int:
    errors = result.of_type("error")
    if errors and not result.of_type("ended"):
        return 2
    return 1 if errors else 0


def http_base(ws_url: str) -> str:
    """The REST base URL of a live WebSocket URL: ws://h:p/v1/live -> http://h:p (wss -> https)."""
    scheme, sep, rest = ws_url.partition("://")
    http = {"ws": "http", "wss": "https"}.get(scheme.lower(), scheme)
    return f"{http}{sep}{rest}".rsplit("/v1/live", 1)[0]


def _print_analysis(ws_url: str, key: str | None, result: StreamResult) -> None:
    import httpx

    ended = result.of_type("ended")
    if not ended or ended[0]["status"] != "queued":
        status = ended[0]["status"] if ended else "not ended"
        print(f"offline analysis: none (the stored call is {status})", file=sys.stderr)
        return
    call_id = ended[0]["call_id"]
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(base_url=http_base(ws_url), headers=headers, timeout=30) as client:
        for _ in range(1200):
            response = client.get(f"/v1/calls/{call_id}")
            if response.status_code != 200:
                print(f"offline analysis: GET /v1/calls/{call_id} answered {response.status_code}: "
                      f"{response.text[:200]}", file=sys.stderr)
                return
            call = response.json()
            if call.get("status") in ("done", "failed"):
                break
            time.sleep(0.5)
    if call.get("status") != "done":
        print(f"offline analysis: {call.get('status')}: {call.get('error')}", file=sys.stderr)
        return
    metrics = (call.get("analysis") or {}).get("metrics", {})
    print("offline analysis of the stored call: " + ", ".join(f"{k}={v}" for k, v in metrics.items()
                                                              if not isinstance(v, dict)))
