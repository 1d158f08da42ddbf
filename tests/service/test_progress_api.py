"""A call's `progress` moves while it is analysed (written every 2 s and at each step), never backwards."""

from __future__ import annotations

import io
import time
from typing import Any

import soundfile as sf

from tests.datafiles import SAMPLES


def _mono_call_flac(seconds: float) -> bytes:
    """The first `seconds` of the bundled call's mono mix as FLAC (under the test stack's 2 MiB
    upload limit). 90 s: each step (transcribe, diarize after the first 60 s block and at the end,
    analyze) lasts longer than one poll even on a loaded machine; on a 30 s clip diarization and
    analysis could both finish between two polls."""
    audio, rate = sf.read(SAMPLES / "discovery_call_mono.wav", dtype="int16")
    out = io.BytesIO()
    sf.write(out, audio[: int(seconds * rate)], rate, format="FLAC")
    return out.getvalue()


def test_progress_moves_during_analysis(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        r = h.upload(c, _mono_call_flac(90.0), "mono.flac", "audio/flac", title="progress")
        assert r.status_code == 202, r.text
        call_id = r.json()["id"]
        seen: list[tuple[float, str | None]] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            body = c.get(f"/v1/calls/{call_id}").json()
            if body["status"] == "processing":
                seen.append((body["progress"], body["progress_step"]))
            if body["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
    assert body["status"] == "done", body.get("error")
    assert body["progress"] == 1.0
    values = [p for p, _ in seen]
    assert values == sorted(values), values
    # Progress is written every 2 s and at each change of step: several values between 0 and 1.
    assert len({p for p in values if 0.0 < p < 1.0}) >= 3, seen
    assert "transcribe" in {s for _, s in seen} and {"diarize", "analyze"} & {s for _, s in seen}, seen
