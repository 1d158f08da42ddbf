"""A live call's language (`transcription.live_asr.LiveLanguage`) on real speech: `auto` names Mandarin
and keeps it, sends English to tiny.en with the very text tiny.en gives alone; a chosen language is
never second-guessed; an English-only model refuses another language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from tests.datafiles import AISHELL, ASR
from transcription.audio import load_audio
from transcription.chinese import to_simplified
from transcription.live_asr import FloatArray, LiveAsrOptions, LiveLanguage, UtteranceRecognizer


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("data") / "models")


@lru_cache(maxsize=1)
def english() -> UtteranceRecognizer:
    return UtteranceRecognizer(LiveAsrOptions())


def mono(path: Path) -> FloatArray:
    return np.asarray(load_audio(path).mean(axis=0), dtype=np.float32)


def test_options_refuse_auto_and_english_only_refuses_chinese() -> None:
    with pytest.raises(ValueError, match="LiveLanguage"):
        LiveAsrOptions(language="auto")
    with pytest.raises(ValueError, match="English-only"):
        english().recognize(mono(ASR / "jfk.flac"), language="zh")


@pytest.mark.slow
def test_auto_names_mandarin_keeps_it_and_writes_simplified(models_dir: str) -> None:
    base = UtteranceRecognizer(LiveAsrOptions(language="zh", models_dir=models_dir))
    calls: list[str] = []

    def counted_english() -> UtteranceRecognizer:
        calls.append("en")
        return english()

    choice = LiveLanguage("auto", counted_english, lambda: base)
    assert choice.language is None
    rec = choice.recognize(mono(AISHELL))
    assert rec is not None and rec.language == "zh" and choice.language == "zh"  # 4.2 s at p > 0.99: kept
    assert rec.text.startswith("甚至出现交易几乎") and to_simplified(rec.text) == rec.text
    assert base.detect_language(mono(AISHELL))[0] == "zh"
    # Once kept, English speech is decoded as Chinese would be: no more detection, no tiny.en.
    choice.recognize(mono(ASR / "jfk.flac"))
    assert calls == []


@pytest.mark.slow
def test_auto_sends_english_to_tiny_en_and_a_chosen_language_is_kept(models_dir: str) -> None:
    base = UtteranceRecognizer(LiveAsrOptions(language="zh", models_dir=models_dir))
    jfk = mono(ASR / "jfk.flac")
    auto = LiveLanguage("auto", english, lambda: base)
    rec = auto.recognize(jfk)
    assert rec is not None and rec.language == "en" and auto.language == "en"
    assert rec == english().recognize(jfk)  # tiny.en, the same decoding as an English call
    chosen = LiveLanguage("en", english, lambda: pytest.fail("an English call never loads the base model"))
    assert chosen.recognize(jfk) == rec and chosen.language == "en"
