"""faster-whisper splits a word at punctuation inside it ("40,000" -> "40" + ",000"); the words
the product keeps join the pieces back, with the pieces' times, and never join across a space."""

from __future__ import annotations

from faster_whisper.transcribe import Segment
from faster_whisper.transcribe import Word as WhisperWord

from transcription.asr import AsrOptions, is_word_piece, segments_to_words


def _segment(words: list[tuple[str, float, float, float]]) -> Segment:
    text = "".join(w for w, *_ in words)
    return Segment(id=0, seek=0, start=words[0][1], end=words[-1][2], text=text, tokens=[], avg_logprob=-0.2,
                   compression_ratio=1.2, no_speech_prob=0.01,
                   words=[WhisperWord(start=s, end=e, word=w, probability=p) for w, s, e, p in words], temperature=0.0)


def test_pieces_join_the_word_before() -> None:
    segment = _segment([(" Our", 0.0, 0.3, 0.9), (" license", 0.3, 0.6, 0.9), (" is", 0.6, 1.1, 0.9),
                        (" $95", 1.1, 1.6, 0.8), (",000", 1.6, 2.2, 0.6), (" a", 2.2, 2.4, 0.9),
                        (" two", 2.8, 3.0, 0.9), ("-year", 3.0, 3.2, 0.7), (" term,", 3.2, 3.7, 0.9),
                        (" 9", 4.0, 4.3, 0.9), ("%", 4.3, 4.8, 0.9), (" at", 5.9, 6.1, 0.9), (" 10", 6.1, 6.3, 0.9),
                        (" o", 6.3, 6.5, 0.9), ("'clock,", 6.5, 6.8, 0.9), (" $3", 7.3, 7.6, 0.9),
                        (".4", 7.6, 8.2, 0.9), (" million.", 8.2, 8.8, 0.9)])
    words = segments_to_words([segment], AsrOptions(), speaker="S1", offset_s=10.0)
    assert [w.word for w in words] == ["Our", "license", "is", "$95,000", "a", "two-year", "term,", "9%", "at", "10",
                                       "o'clock,", "$3.4", "million."]
    money = words[3]
    assert (money.start, money.end, money.probability) == (11.1, 12.2, 0.6)


def test_a_spaced_dash_or_a_first_piece_stays_a_word() -> None:
    assert is_word_piece(",000") and is_word_piece("-year") and is_word_piece(".com")
    assert not is_word_piece(" -") and not is_word_piece(" well") and not is_word_piece("") and not is_word_piece("$5")
    segment = _segment([("-so", 0.0, 0.2, 0.9), (" we", 0.2, 0.4, 0.9), (" -", 0.4, 0.5, 0.9), (" fine", 0.5, 0.9, 0.9)])
    words = segments_to_words([segment], AsrOptions(), speaker="S1")
    assert [w.word for w in words] == ["-so", "we", "-", "fine"]


def test_a_piece_never_joins_a_dropped_word() -> None:
    options = AsrOptions()
    faint = options.min_word_probability / 2
    segment = _segment([(" yes", 0.0, 0.4, 0.9), (" uh", 0.4, 0.41, faint), (",000", 0.41, 0.8, 0.9)])
    words = segments_to_words([segment], options, speaker="S1")
    assert [w.word for w in words] == ["yes", ",000"]
