"""`TALKTRACK_ASR_COMPUTE_TYPE`: the arithmetic offline speech recognition runs in."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.analysis.files import AnalyzeOptions, load_transcript
from service.core.config import Settings
from transcription import asr
from transcription.asr import AsrOptions, load_whisper

JFK = Path(__file__).resolve().parents[1] / "data" / "asr" / "jfk.flac"


def test_the_default_is_int8_and_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALKTRACK_ASR_COMPUTE_TYPE", raising=False)
    assert Settings().asr_compute_type == "int8"
    monkeypatch.setenv("TALKTRACK_ASR_COMPUTE_TYPE", "fp8")
    with pytest.raises(ValidationError, match="asr_compute_type"):
        Settings()


@pytest.mark.slow
def test_an_analysis_decodes_in_the_chosen_arithmetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TALKTRACK_ASR_COMPUTE_TYPE", "float32")
    asr._load.cache_clear()
    transcript = load_transcript(JFK, AnalyzeOptions(language="en"))
    words = " ".join(w.word for w in transcript.words).lower().replace(",", "")
    assert "ask not what your country can do for you" in words
    # The analysis loaded the float32 model: asking for it now is a cache hit, not a load.
    before = asr._load.cache_info()
    model = load_whisper(AsrOptions(language="en", compute_type="float32"))
    after = asr._load.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
    assert model.model.compute_type == "float32"
