"""Speech that gave no words is reported with its time span (and its language with a multilingual model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.datafiles import SAMPLES, SHARED_DATA
from transcription.pipeline import TranscribeOptions, transcribe_file
from transcription.types import Word
from transcription.unheard import UnheardSpeech, _uncovered, unheard_warnings


def test_uncovered_stretches_leave_room_around_words() -> None:
    words = [(2.0, 2.5), (3.0, 3.4), (12.0, 12.5)]
    assert _uncovered(0.0, 20.0, words) == [(0.0, 0.5), (4.9, 10.5), (14.0, 20.0)]
    assert _uncovered(0.0, 3.0, [(0.5, 2.0)]) == []


def test_warnings_name_the_language_when_a_model_could() -> None:
    got = unheard_warnings([UnheardSpeech(31.0, 45.0, "de", 0.93), UnheardSpeech(45.5, 59.0, "de", 0.9),
                            UnheardSpeech(70.0, 80.0)])
    assert got[0] == ("speech in German (de, p=0.93) from 0:31 to 0:59 (28 s) was not transcribed: it is not "
                      "the language chosen for the call (with the language set to auto, each language is "
                      "transcribed)")
    assert got[1].startswith("speech from 1:10 to 1:20 (10 s) gave no words: it may be another language")
    assert "auto" in got[1]
    assert len(got) == 2
    # With the language detected, what is left is what no model could read.
    detected = unheard_warnings([UnheardSpeech(70.0, 80.0)], detected=True)
    assert detected == ["speech from 1:10 to 1:20 (10 s) gave no words: noise, or speech in a language the "
                        "speech models could not read"]


@pytest.mark.slow
@pytest.mark.needs_shared_data
def test_german_half_of_a_real_recording_is_reported(whisper_loaded: None) -> None:
    """multilingual.mp3: English for 30 s, then German, which tiny.en leaves without a word."""
    t = transcribe_file(SHARED_DATA / "asr" / "multilingual.mp3", TranscribeOptions(diarize=False))
    unheard = [w for w in t.warnings if "gave no words" in w]
    assert len(unheard) == 1 and "from 0:3" in unheard[0] and "to 0:59" in unheard[0], t.warnings
    assert all(isinstance(w, Word) for w in t.words) and t.words[-1].end < 31.0


@pytest.mark.slow
@pytest.mark.parametrize("path", ["tests/data/phone/sample.wav", "tests/data/asr/jfk.flac",
                                  "samples/discovery_call.wav"])
def test_english_speech_gives_no_such_warning(path: str, whisper_loaded: None) -> None:
    t = transcribe_file(Path(SAMPLES.parent, path), TranscribeOptions(diarize=False))
    assert t.words and not [w for w in t.warnings if "gave no words" in w or "speech in" in w], t.warnings
