"""What `talktrack analyze` says about input it cannot use, or can use only partly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.datafiles import ASR


def error_of(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    assert main(["analyze", *map(str, args), "--no-progress"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("talktrack: error: "), captured.err
    return lines[0]


def test_a_directory_is_named_as_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = error_of(capsys, tmp_path)
    assert f"{tmp_path} is a directory" in line and "talktrack insights" in line
    assert "no such file" not in line


def test_an_unsupported_type_lists_audio_and_transcript_formats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "call.txt"
    notes.write_text("Alex: hello\n")
    line = error_of(capsys, notes)
    assert "'.txt'" in line and "wav" in line and "mp3" in line
    assert "vtt" in line and "json" in line


@pytest.mark.parametrize("cut", [0, 40_000])  # not audio at all / a real FLAC cut short
def test_corrupt_audio_names_ffmpegs_reason_without_errno(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cut: int
) -> None:
    bad = tmp_path / ("bad.wav" if cut == 0 else "bad.flac")
    bad.write_bytes(bytes(range(256)) * 20 if cut == 0 else (ASR / "jfk.flac").read_bytes()[:cut])
    line = error_of(capsys, bad)
    assert bad.name in line and "corrupt" in line and "FFmpeg: " in line
    assert "Errno" not in line and str(tmp_path) not in line


def test_vtt_without_speaker_names_warns_how_to_name_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vtt = tmp_path / "zoom.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello there, how are you?\n\n"
                   "00:00:02.500 --> 00:00:04.000\nFine, thanks.\n")
    assert main(["analyze", str(vtt), "--format", "json", "--no-progress"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 1
    assert "names no speakers" in warnings[0] and "<v Alex Rivera>" in warnings[0] and "'Name: '" in warnings[0]


def test_named_vtt_has_no_such_warning(capsys: pytest.CaptureFixture[str]) -> None:
    vtt = Path(__file__).resolve().parents[2] / "samples" / "discovery_call.vtt"
    assert main(["analyze", str(vtt), "--rep", "Alex Rivera", "--format", "json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []
