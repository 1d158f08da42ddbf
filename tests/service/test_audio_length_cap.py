"""A recording over `TALKTRACK_MAX_AUDIO_S` fails its analysis at once, with the reason:
by the length its header declares, before anything is decoded, and by the decoded audio when the
header says less than the file holds. A real server (SQLite, worker threads) with the cap lowered to
2 minutes; the recordings are silent FLAC files made with sox."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CAP = "the recording is {length} long; this server accepts at most 2 min (TALKTRACK_MAX_AUDIO_S)"


@pytest.fixture(scope="module")
def capped(h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with h.running_stack("sqlite", tmp_path_factory.mktemp("audio-cap"), {"TALKTRACK_MAX_AUDIO_S": "120"}) as stack:
        yield stack


def silent_flac(path: Path, seconds: float) -> Path:
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(path), "trim", "0", str(seconds)], check=True)
    return path


def understated(path: Path, declared_s: float) -> Path:
    """Rewrite the FLAC header's sample count (STREAMINFO) so that it declares `declared_s`."""
    data = bytearray(path.read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # the first block is STREAMINFO
    packed = int.from_bytes(data[18:26], "big")  # rate (20 bits), channels, bits, samples (36 bits)
    samples = int(declared_s * 16000)
    data[18:26] = ((packed & ~((1 << 36) - 1)) | samples).to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path


def analyse(stack: Any, h: Any, flac: Path, timeout: float) -> dict[str, Any]:
    with stack.client("admin") as c:
        r = h.upload(c, flac.read_bytes(), filename=flac.name, content_type="audio/flac")
        assert r.status_code == 202, r.text
        body: dict[str, Any] = h.wait_status(c, r.json()["id"], timeout=timeout)
        c.delete(f"/v1/calls/{body['id']}")
    return body


def test_a_three_hour_recording_fails_before_anything_is_decoded(capped: Any, h: Any, tmp_path: Path) -> None:
    flac = silent_flac(tmp_path / "three_hours.flac", 3 * 3600)
    assert flac.stat().st_size < 1024 * 1024  # silence: small on the wire, 471 s of work without the cap
    started = time.monotonic()
    body = analyse(capped, h, flac, timeout=120)
    assert body["status"] == "failed"
    assert body["error"] == CAP.format(length="3 h 0 min")
    assert time.monotonic() - started < 60


def test_a_header_that_understates_the_length_does_not_escape_the_cap(capped: Any, h: Any, tmp_path: Path) -> None:
    flac = understated(silent_flac(tmp_path / "ten_minutes.flac", 600), declared_s=60)
    from transcription.audio import probe_audio

    assert probe_audio(flac).duration_s == 60.0  # what the header says
    body = analyse(capped, h, flac, timeout=180)
    assert body["status"] == "failed"
    assert body["error"] == CAP.format(length="more than 2 min")


def test_a_recording_within_the_cap_is_analysed(capped: Any, h: Any, tmp_path: Path) -> None:
    body = analyse(capped, h, silent_flac(tmp_path / "one_minute.flac", 60), timeout=180)
    assert body["status"] == "done", body.get("error")
