"""A call's `progress` moves while it is analysed (written every 2 s and at each step), never backwards."""

from __future__ import annotations

import time
from typing import Any

from tests.datafiles import PHONE


def test_progress_moves_during_analysis(stack: Any, h: Any) -> None:
    with stack.client("admin") as c:
        r = h.upload(c, (PHONE / "sample.wav").read_bytes(), "phone.wav", "audio/wav", title="progress")
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
    # The clip is short: on a cold machine transcription may finish inside one 2 s write, so one
    # value between 0 and 1 is the least it shows; the steps are named as they go.
    assert len({p for p in values if 0.0 < p < 1.0}) >= 1, seen
    assert "transcribe" in {s for _, s in seen} and {"diarize", "analyze"} & {s for _, s in seen}, seen
