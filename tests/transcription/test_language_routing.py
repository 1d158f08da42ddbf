"""Language choice: `auto` detects the language (per call and per stretch), English goes to tiny.en
exactly as before, other languages to the multilingual Whisper base; Chinese comes out in
Simplified characters with sane word times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jiwer
import pytest

from tests.datafiles import AISHELL, ASR, REPO, SHARED_DATA
from transcription.asr import AsrOptions, load_whisper
from transcription.chinese import tidy_chinese_words, to_simplified
from transcription.languages import parse_language
from transcription.pipeline import TranscribeOptions, transcribe_file
from transcription.routing import LanguageSpan, _merge, _stretches
from transcription.types import Word

AISHELL_TEXT = "甚至出现交易几乎停滞的情况"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A data directory of the tests' own: the multilingual model is joined into it once."""
    return str(tmp_path_factory.mktemp("data") / "models")


def transcribe(path: Path, language: str, models_dir: str) -> tuple[str, list[Word], list[str]]:
    t = transcribe_file(path, TranscribeOptions(diarize=False, asr=AsrOptions(language=language,
                                                                               models_dir=models_dir)))
    return t.language, t.words, t.warnings


def test_language_choices() -> None:
    assert [parse_language(x) for x in ("auto", "EN", "zh", "zh-CN", "zh_Hans", "Mandarin", "de")] == [
        "auto", "en", "zh", "zh", "zh", "zh", "de"]
    for bad in ("xx", "", "klingon", "yue"):
        with pytest.raises(ValueError, match="unknown language"):
            parse_language(bad)


def test_traditional_characters_become_simplified_punctuation_kept() -> None:
    assert to_simplified("這個價格還是太貴了嗎？") == "这个价格还是太贵了吗？"
    assert to_simplified("我们下周二见。OK") == "我们下周二见。OK"  # Simplified text and Latin letters stay


def test_the_particle_zhe_is_written_as_on_the_mainland_and_zhu_words_keep_their_character() -> None:
    # Whisper writes the aspect particle and the verb in the Taiwan style (著); Mainland writing has 着.
    assert to_simplified("意味著我們要等著看，別著急") == "意味着我们要等着看，别着急"
    assert to_simplified("接著說") == "接着说"
    # 著 pronounced zhù stays: famous, works, notable, the original, natives.
    assert to_simplified("著名的公司，效果顯著，看過原著和他的著作") == "著名的公司，效果显著，看过原著和他的著作"
    assert to_simplified("土著") == "土著" and to_simplified("著") == "着"


def test_chinese_words_are_never_empty_and_times_never_go_back() -> None:
    raw = [Word(0.5, 0.4, "「", "S1"), Word(0.5, 0.8, "價", "S1"), Word(0.8, 1.0, "格", "S1"),
           Word(1.0, 1.0, " ", "S1"), Word(0.9, 1.3, "還", "S1"), Word(1.3, 1.5, "是？", "S1"),
           Word(1.5, 1.5, "。", "S1")]
    words = tidy_chinese_words(raw)
    assert [w.word for w in words] == ["「价", "格", "还", "是？。"]
    assert all(w.word.strip() for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert all(w.start <= w.end for w in words)


def test_stretches_cut_in_pauses_and_spans_merge() -> None:
    sr = 16000
    regions = [{"start": s * sr, "end": e * sr} for s, e in ((0, 50), (52, 100), (104, 170), (171, 200))]
    assert _stretches(regions, 210 * sr, 90.0) == [(0, 102 * sr), (102 * sr, 210 * sr)]
    assert _stretches(regions[:1], 60 * sr, 90.0) == [(0, 60 * sr)]
    spans = [LanguageSpan(0, 10, "en", 0.9), LanguageSpan(10, 20, "en", 0.8), LanguageSpan(20, 30, "zh", 0.99)]
    assert _merge(spans) == [LanguageSpan(0, 20, "en", 0.9), LanguageSpan(20, 30, "zh", 0.99)]


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["jfk.flac", "2412-153948-0000.flac", "ES2011a.Headset-0-40s-46s.wav"])
def test_auto_on_english_gives_the_words_of_tiny_en(clip: str, models_dir: str) -> None:
    language, words, warnings = transcribe(ASR / clip, "auto", models_dir)
    english, en_words, en_warnings = transcribe(ASR / clip, "en", models_dir)
    assert (language, english) == ("en", "en")
    assert words and words == en_words  # the same words, times and confidences
    assert warnings == en_warnings


@pytest.mark.slow
def test_auto_on_mandarin_reads_simplified_chinese(models_dir: str) -> None:
    language, words, warnings = transcribe(AISHELL, "auto", models_dir)
    assert language == "zh" and warnings == []
    text = "".join(w.word for w in words)
    assert text == to_simplified(text)
    assert jiwer.cer(AISHELL_TEXT, text) <= 0.1, text  # one character of 13 ("停制" for "停滞")
    assert all(w.word.strip() for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert words[0].start >= 0.0 and words[-1].end <= 4.3
    # Chosen instead of detected: the same words.
    assert transcribe(AISHELL, "zh", models_dir)[1] == words
    # Decoded in the multilingual model's own arithmetic, float32 (fewer character errors than int8).
    assert load_whisper(AsrOptions(language="zh", models_dir=models_dir)).model.compute_type == "float32"


@pytest.mark.slow
def test_tiny_en_reads_no_mandarin(models_dir: str) -> None:
    language, words, _ = transcribe(AISHELL, "en", models_dir)
    assert language == "en" and not any("\u4e00" <= c <= "\u9fff" for w in words for c in w.word)


@pytest.mark.slow
@pytest.mark.needs_shared_data
def test_a_call_that_switches_language_is_transcribed_in_both(models_dir: str) -> None:
    """multilingual.mp3: 30 s of English, then the same text in German (which tiny.en drops)."""
    language, words, warnings = transcribe(SHARED_DATA / "asr" / "multilingual.mp3", "auto", models_dir)
    assert language == "en"
    english = " ".join(w.word for w in words if w.end < 30.0)
    german = " ".join(w.word for w in words if w.start > 30.0)
    assert "Permission is hereby granted" in english
    assert "Software" in german and "Genehmigung" in german and "verkaufen" in german
    assert len(warnings) == 1 and warnings[0].startswith("speech in German (de, p=1.00) from 0:3"), warnings
    assert "to 0:59" in warnings[0] and "main language is English" in warnings[0]


@pytest.mark.slow
def test_the_multilingual_model_loads_and_runs_without_network(tmp_path: Path) -> None:
    """A fresh process whose every socket connection fails joins, loads and runs the model."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from transcription.asr import AsrOptions\n"
        "from transcription.pipeline import TranscribeOptions, transcribe_file\n"
        f"t = transcribe_file({str(AISHELL)!r}, TranscribeOptions(diarize=False, asr=AsrOptions("
        f"language='auto', models_dir={str(tmp_path)!r})))\n"
        "print(t.language, ''.join(w.word for w in t.words))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no HF_HUB_OFFLINE: nothing may need it
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("zh 甚至出现交易几乎"), result.stdout
