"""`talktrack enroll` and `talktrack relabel` through the CLI entry point, on real audio and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.analysis import CallAnalysis
from nlp.relabel import RelabelError, relabel
from service.cli import main
from tests.datafiles import ASR
from transcription.types import Speaker, Transcript, Word


def _analysis() -> CallAnalysis:
    """S1 talks 6 s and asks an open question; S2 answers for 2 s. Roles unknown, as mono gives."""
    words = [
        Word(0.0, 1.0, "So", "S1"), Word(1.0, 2.0, "what", "S1"), Word(2.0, 3.0, "does", "S1"),
        Word(3.0, 4.0, "your", "S1"), Word(4.0, 5.0, "team", "S1"), Word(5.0, 6.0, "need?", "S1"),
        Word(7.0, 8.0, "Better", "S2"), Word(8.0, 9.0, "reports.", "S2"),
    ]
    t = Transcript(duration_s=10.0, speakers=[Speaker("S1"), Speaker("S2")], words=words, source="audio-mono")
    return CallAnalysis(transcript=t)


def test_relabel_recomputes_metrics_without_audio() -> None:
    before = _analysis()
    assert before.metrics.talk_ratio is None
    after = relabel(before.to_dict(), roles={"S1": "rep", "S2": "customer"}, names={"S1": "Tom Miller"})
    assert after.metrics.talk_ratio == pytest.approx(0.75)
    assert after.metrics.question_count_rep == 1
    s1 = after.transcript.speaker("S1")
    assert (s1.role, s1.name, s1.role_confidence) == ("rep", "Tom Miller", None)
    swapped = relabel(after, roles={"S1": "customer", "S2": "rep"})
    assert swapped.metrics.talk_ratio == pytest.approx(0.25)
    assert swapped.metrics.question_count_rep == 0
    assert swapped.transcript.words == before.transcript.words  # nothing re-transcribed


def test_relabel_rejects_unknown_speakers_and_roles() -> None:
    with pytest.raises(RelabelError, match="no speaker 'S9'"):
        relabel(_analysis(), roles={"S9": "rep"})
    with pytest.raises(RelabelError, match="must be one of"):
        relabel(_analysis(), roles={"S1": "boss"})  # type: ignore[dict-item]


def test_relabel_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "call.json"
    src.write_text(json.dumps(_analysis().to_dict()))
    out = tmp_path / "fixed.json"
    code = main(["relabel", str(src), "--speaker", "S2=rep", "--speaker", "S1=customer",
                 "--name", "S2=Tom Miller", "-o", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["metrics"]["talk_ratio"] == pytest.approx(0.25)
    assert {s["id"]: (s["role"], s["name"]) for s in data["speakers"]} == {
        "S1": ("customer", None), "S2": ("rep", "Tom Miller")}
    assert main(["relabel", str(src), "--speaker", "S7=rep"]) == 2
    assert "no speaker 'S7'" in capsys.readouterr().err
    assert main(["relabel", str(tmp_path / "missing.json"), "--speaker", "S1=rep"]) == 2
    (tmp_path / "bad.json").write_text("{not json")
    assert main(["relabel", str(tmp_path / "bad.json"), "--speaker", "S1=rep"]) == 2


@pytest.mark.slow
def test_enroll_command_stores_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profiles = tmp_path / "profiles"
    code = main(["enroll", "John Kennedy", str(ASR / "jfk.flac"), "--profiles", str(profiles)])
    assert code == 0
    stored = json.loads((profiles / "john-kennedy.json").read_text())
    assert stored["name"] == "John Kennedy"
    assert len(stored["embedding"]) == 192 and stored["encoder"] == "campplus-cn-en-common-192"
    assert 6.0 < stored["n_seconds"] < 11.0
    assert stored["source_files"] == ["jfk.flac"]
    assert stored["speech_file"] == "john-kennedy.speech.flac" and (profiles / stored["speech_file"]).is_file()
    assert "enrolled John Kennedy" in capsys.readouterr().err
    # Silence cannot make a profile: one clear line, exit code 2, nothing stored.
    import numpy as np
    import soundfile as sf

    sf.write(tmp_path / "silence.wav", np.zeros(16000 * 4, np.float32), 16000)
    assert main(["enroll", "Nobody", str(tmp_path / "silence.wav"), "--profiles", str(profiles)]) == 2
    assert "at least 3 s" in capsys.readouterr().err
    assert not (profiles / "nobody.json").exists()
