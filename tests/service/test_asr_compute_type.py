"""`TALKTRACK_ASR_COMPUTE_TYPE`: the arithmetic offline speech recognition runs in."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.analysis.files import AnalyzeOptions, load_transcript
from service.core.config import Settings
from transcription import asr
from transcription.asr import AsrOptions, load_whisper
from transcription.errors import ComputeTypeError

JFK = Path(__file__).resolve().parents[1] / "data" / "asr" / "jfk.flac"


def test_the_default_is_each_models_own_and_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALKTRACK_ASR_COMPUTE_TYPE", raising=False)
    assert Settings().asr_compute_type is None
    # Each model's own: int8 for the English-only tiny.en, float32 for a multilingual checkpoint.
    assert asr.default_compute_type(asr.bundled_model_path()) == "int8"
    assert AsrOptions().compute_type is None
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


def test_an_arithmetic_the_cpu_cannot_run_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctranslate2

    # int16 needs Intel MKL, float32 runs everywhere: pretend a CPU with int8 only.
    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {"int8"})
    asr._load.cache_clear()
    with pytest.raises(ComputeTypeError, match=r"cannot decode speech in float32 .*TALKTRACK_ASR_COMPUTE_TYPE.*int8"):
        load_whisper(AsrOptions(language="en", compute_type="float32"))
    asr._load.cache_clear()
