"""Test helpers: transcripts from scripted lines, with synthetic timing (English words, or Chinese
words one per character as Whisper gives them)."""

from __future__ import annotations

from transcription.scripts import split_chinese
from transcription.types import Speaker, Transcript, Word

WORD_S = 0.3  # each word lasts 0.3 s
WORD_GAP_S = 0.1  # then 0.1 s to the next word
TURN_GAP_S = 1.0  # and 1 s more between lines


def scripted_transcript(*lines: tuple[str, str]) -> Transcript:
    """`lines` are (speaker id, text); S1 is the rep, S2 the customer."""
    words: list[Word] = []
    t = 0.0
    for speaker, text in lines:
        for w in text.split():
            words.append(Word(t, t + WORD_S, w, speaker))
            t += WORD_S + WORD_GAP_S
        t += TURN_GAP_S
    return Transcript(
        duration_s=t, speakers=[Speaker("S1", "rep"), Speaker("S2", "customer")], words=words, source="json"
    )


def chinese_call(*lines: tuple[str, str], pause: float = 0.3) -> Transcript:
    """A timed Chinese transcript with Whisper-like words: one per character (Latin words whole);
    speaker "R" is the rep, anyone else the customer."""
    words: list[Word] = []
    t = 0.0
    for speaker, text in lines:
        for unit in (u for tok in text.split() for u in split_chinese(tok)):
            words.append(Word(t, t + 0.2, unit, speaker))
            t += 0.25
        t += pause
    speakers = [Speaker(s, role="rep" if s == "R" else "customer") for s in dict.fromkeys(s for s, _ in lines)]
    return Transcript(duration_s=t, speakers=speakers, words=words, source="audio-stereo", language="zh")
