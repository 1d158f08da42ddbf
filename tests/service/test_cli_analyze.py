"""`talktrack analyze` end to end, as a user runs it: real files, a real process, exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tests.datafiles import ASR
from transcription.textnorm import normalize_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "nlp" / "analysis.schema.json").read_text())


def talktrack(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("talktrack: error: ")
    assert fragment in lines[0].lower()
    assert result.stdout == ""


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(talktrack("analyze", tmp_path / "nope.wav"), "no such file")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    assert_one_line_error(talktrack("analyze", empty), "empty")


def test_corrupt_audio(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    result = talktrack("analyze", corrupt)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("talktrack: error: ")


def test_unsupported_file(tmp_path: Path) -> None:
    doc = tmp_path / "notes.txt"
    doc.write_text("Meeting notes: call Jordan back on Friday.\n")
    assert_one_line_error(talktrack("analyze", doc), "unsupported")


def test_malformed_json_transcript(tmp_path: Path) -> None:
    bad = tmp_path / "call.json"
    bad.write_text('{"speakers": [')
    assert_one_line_error(talktrack("analyze", bad), "json")


def test_silence_gives_valid_analysis_and_warning(tmp_path: Path) -> None:
    silence = write_wav(tmp_path / "silence.wav", np.zeros(16000 * 5))
    result = talktrack("analyze", silence, "--format", "json")
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    jsonschema.validate(analysis, SCHEMA)
    assert analysis["words"] == [] and analysis["questions"] == []
    assert analysis["duration_s"] == pytest.approx(5.0, abs=0.05)
    assert "no speech" in result.stderr.lower()


def test_stereo_call_json_matches_schema_and_channels() -> None:
    result = talktrack(
        "analyze", ASR / "stereo_diarization.wav", "--format", "json", "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    jsonschema.validate(analysis, SCHEMA)
    assert analysis["source"] == "audio-stereo"
    roles = {s["id"]: s["role"] for s in analysis["speakers"]}
    assert sorted(roles.values()) == ["customer", "rep"]
    text = {
        sid: " ".join(w["word"] for w in analysis["words"] if w["speaker"] == sid).lower() for sid in roles
    }
    rep = next(sid for sid, role in roles.items() if role == "rep")
    customer = next(sid for sid, role in roles.items() if role == "customer")
    assert "wizard" in text[rep] and "horizon" not in text[rep]
    assert "horizon" in text[customer] and "wizard" not in text[customer]
    assert 0.0 < analysis["metrics"]["talk_ratio"] < 1.0


def test_rep_channel_right_swaps_roles() -> None:
    result = talktrack(
        "analyze", ASR / "stereo_diarization.wav", "--format", "json", "--rep-channel", "right"
    )
    assert result.returncode == 0, result.stderr
    speakers = {s["channel"]: s["role"] for s in json.loads(result.stdout)["speakers"]}
    assert speakers == {0: "customer", 1: "rep"}


def test_text_vtt_and_rttm_formats(tmp_path: Path) -> None:
    src = ASR / "stereo_diarization.wav"
    text = talktrack("analyze", src)
    assert text.returncode == 0, text.stderr
    assert "Talktrack scorecard: stereo_diarization.wav" in text.stdout
    assert "Talk ratio" in text.stdout
    out = tmp_path / "call.vtt"
    vtt = talktrack("analyze", src, "--format", "vtt", "-o", out)
    assert vtt.returncode == 0 and vtt.stdout == ""
    body = out.read_text()
    assert body.startswith("WEBVTT") and "<v " in body and "-->" in body
    rttm = talktrack("analyze", src, "--format", "rttm")
    rows = [line.split() for line in rttm.stdout.splitlines()]
    assert rows and all(r[0] == "SPEAKER" and r[1] == "stereo_diarization" and len(r) == 10 for r in rows)
    assert {r[7] for r in rows} == {"S1", "S2"}


def test_json_output_reimports_unchanged(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert talktrack("analyze", ASR / "jfk.flac", "--format", "json", "-o", first).returncode == 0
    again = talktrack("analyze", first, "--format", "json")
    assert again.returncode == 0, again.stderr
    a, b = json.loads(first.read_text()), json.loads(again.stdout)
    assert a["words"] == b["words"] and a["metrics"] == b["metrics"]
    text = normalize_text(" ".join(w["word"] for w in a["words"]))
    assert text.startswith("and so my fellow americans ask not what your country can do for you")


def test_custom_tracker_file(tmp_path: Path) -> None:
    trackers = tmp_path / "trackers.yaml"
    trackers.write_text("trackers:\n  - name: billing_terms\n    phrases: [bill annually]\n    said_by: rep\n")
    sample = ROOT / "samples" / "discovery_call.vtt"
    result = talktrack("analyze", sample, "--rep", "Alex Rivera", "--trackers", trackers, "--format", "json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["trackers"]
    assert [h["tracker"] for h in hits] == ["billing_terms"]
    assert "billed annually" in hits[0]["text"]  # lemma match: "billed" counts for "bill"


def test_bad_tracker_file(tmp_path: Path) -> None:
    trackers = tmp_path / "trackers.yaml"
    trackers.write_text("trackers:\n  - name: pricing\n    said_by: everyone\n")
    result = talktrack("analyze", ROOT / "samples" / "discovery_call.vtt", "--trackers", trackers)
    assert_one_line_error(result, "said_by")


def test_scorecard_shows_where_roles_came_from_or_why_there_is_no_rep(tmp_path: Path) -> None:
    anonymous = tmp_path / "zoom.vtt"  # the sample call with Zoom's anonymous speaker labels
    anonymous.write_text((ROOT / "samples" / "discovery_call.vtt").read_text()
                         .replace("<v Alex Rivera (Acme)>", "<v SPEAKER_00>").replace("<v Jordan Lee>", "<v SPEAKER_01>"))
    result = talktrack("analyze", anonymous)
    assert result.returncode == 0, result.stderr
    assert "  S1  rep (content, confidence 1.00)" in result.stdout
    assert "  S2  customer (content, confidence 1.00)" in result.stdout
    assert "Why the rep metrics are empty" not in result.stdout
    assert "Talk ratio (rep share of speech)         60%" in result.stdout

    small_talk = tmp_path / "chat.vtt"
    small_talk.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v A>Morning. Did you see the game last night?\n\n"
                          "00:00:03.500 --> 00:00:07.000\n<v B>I did. What a finish. Did you stay up for the whole thing?\n\n"
                          "00:00:07.500 --> 00:00:10.000\n<v A>Most of it. I fell asleep before the end though.\n")
    result = talktrack("analyze", small_talk)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  S1  unknown " in out and "Why the rep metrics are empty" in out and "How to fix it" in out
    assert "talktrack relabel CALL.json --speaker S1=rep --speaker S2=customer" in " ".join(out.split())
    assert 'talktrack enroll "REP NAME" rep-voice.wav' in " ".join(out.split())
    data = json.loads(talktrack("analyze", small_talk, "--format", "json").stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["roles_note"]["why"].startswith("No speaker is known to be the rep")
    assert [s["role_source"] for s in data["speakers"]] == [None, None]


def test_a_transcript_loads_no_audio_stack_and_no_transformers() -> None:
    """Start-up: a transcript's analysis imports what it uses (spaCy; torch for the embedder), not the
    recogniser, the audio decoder, transformers, the statistics libraries or the server settings."""
    code = ("import sys; from service.cli import main; main(['analyze', 'samples/discovery_call.vtt', '--no-progress']);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'transformers', 'faster_whisper', 'ctranslate2',"
            " 'av', 'scipy', 'statsmodels', 'sklearn', 'pydantic_settings'}), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "Talktrack scorecard: discovery_call.vtt" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
