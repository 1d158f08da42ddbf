"""The pipeline's data: words with times and speakers, speakers with roles, turns, transcripts.

Two kinds of turn: a `Turn` is a run of consecutive words by one speaker (each word has exactly one
speaker, so these never overlap); a `SpeakerTurn` is a stretch of time one speaker is talking, and
turns of different speakers may overlap (both talk at once), as the overlap-aware diarizer and the
two channels of a stereo call show them.

Every stage after transcription consumes these; nothing here knows about audio, spaCy or HTTP.
Times are seconds from the start of the recording (or stream).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from transcription.scripts import word_offsets

Role = Literal["rep", "customer", "unknown"]
ROLES: tuple[Role, ...] = ("rep", "customer", "unknown")

# Where a speaker's role came from: the stereo channel, an enrolled voice profile, the voice profile or
# name of the rep user the upload names, a speaker name in the transcript (`--rep NAME`), what is said
# (`nlp.speaker_roles`), a person (relabel), or, on a live mono call with nothing better, the first voice.
RoleSource = Literal["channel", "profile", "uploader", "name", "content", "manual", "first_voice"]
ROLE_SOURCES: tuple[RoleSource, ...] = ("channel", "profile", "uploader", "name", "content", "manual", "first_voice")

TranscriptSource = Literal["audio-stereo", "audio-mono", "vtt", "json", "chat"]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word.

    `word` is the text as the recogniser wrote it, without surrounding whitespace (punctuation
    attached, e.g. "prompted," or "you?"). `speaker` is a speaker id from `Transcript.speakers`.
    `probability` is the recogniser's confidence, 1.0 for words that come from a human transcript.
    """

    start: float
    end: float
    word: str
    speaker: str
    probability: float = 1.0

    def with_speaker(self, speaker: str) -> Word:
        return replace(self, speaker=speaker)


@dataclass(slots=True)
class Speaker:
    """A voice in the call.

    `id` is stable within one analysis ("S1", "S2", ...). `role` says whether it is the sales rep,
    the customer or unknown; `role_confidence` (0..1) says how sure the assignment is, `None` when
    the role was given (channel mapping, `--rep NAME`, a manual relabel). `name` is a display name
    (from a transcript's voice tag, a voice profile or a relabel). `channel` is the audio channel
    (0 = left) for stereo recordings with one speaker per channel. `role_source` says which evidence
    gave the role (`RoleSource`); None while the role is unknown.
    """

    id: str
    role: Role = "unknown"
    name: str | None = None
    channel: int | None = None
    role_confidence: float | None = None
    role_source: RoleSource | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """A maximal run of consecutive words by one speaker."""

    speaker: str
    start: float
    end: float
    text: str
    word_start: int  # index of the turn's first word in Transcript.words
    word_end: int  # index one past its last word


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """`speaker` talks from `start` to `end` seconds. One speaker's turns never overlap each other;
    another speaker's turn may overlap this one (overlapped speech)."""

    speaker: str
    start: float
    end: float


# Which way an unsure speaker count went (`transcription.diarization.count.speakers_note_of`): the
# phrases split one voice in two, a small second voice merged into the first, or one voice stayed.
CountCase = Literal["split", "merged", "one_voice"]
COUNT_CASES: tuple[CountCase, ...] = ("split", "merged", "one_voice")


@dataclass(frozen=True, slots=True)
class CountEvidence:
    """The numbers a speakers note quotes: the two groups of phrases' `voice_gap` and `pitch_gap`
    (rounded to the 2 decimals the note shows), the `turns` (changes of speaker at pauses or sentence
    ends), the `questions` and the share of them the other voice `answered` (0..1). Kept apart from
    the English so a page can word the note in its reader's language."""

    voice_gap: float
    pitch_gap: float
    turns: int
    questions: int
    answered: float

    def to_dict(self) -> dict[str, float | int]:
        return {"voice_gap": self.voice_gap, "pitch_gap": self.pitch_gap, "turns": self.turns,
                "questions": self.questions, "answered": self.answered}


@dataclass(frozen=True, slots=True)
class SpeakersNote:
    """Why a mono call's speaker count is unsure, and how to fix it; shown on every scorecard (CLI,
    API `speakers_note`, the call page), like the roles note. `why` and `fix` are English; `case`
    and `evidence` are the facts `why` was worded from (None on a note written before they were
    kept, and `evidence` None where too few words were there to weigh)."""

    why: str
    fix: str
    case: CountCase | None = None
    evidence: CountEvidence | None = None

    def to_dict(self) -> dict[str, object]:
        """The analysis JSON's `speakers_note`: `case` and `evidence` only where the note has a case
        (an older note keeps the {"why", "fix"} it was written with)."""
        out: dict[str, object] = {"why": self.why, "fix": self.fix}
        if self.case is not None:
            out["case"] = self.case
            out["evidence"] = None if self.evidence is None else self.evidence.to_dict()
        return out


@dataclass(slots=True)
class Transcript:
    """Speaker-attributed words of one call, sorted by start time, and who spoke when.

    `speaker_turns` are the speakers' turns sorted by start, overlapping where two people talk at
    once (from the diarizer on mono audio, the channels on stereo, the cues of a WebVTT file). Each
    word still has exactly one speaker. Left empty, they are derived from the words
    (`turns_from_words`: one turn per run of consecutive words, so no overlap).
    `has_timing` is False for transcripts that come without times (chat logs): their word times
    are synthetic (one second per turn) and time-based metrics do not apply.
    `warnings` carries non-fatal problems a user should see ("no speech found", ...).
    `speakers_note`: on a mono call whose speaker count was decided with a low margin, why and how
    to fix it (`transcription.diarization.count`); None otherwise.
    """

    duration_s: float
    speakers: list[Speaker]
    words: list[Word]
    source: TranscriptSource
    has_timing: bool = True
    language: str = "en"
    warnings: list[str] = field(default_factory=list)
    speaker_turns: list[SpeakerTurn] = field(default_factory=list)
    speakers_note: SpeakersNote | None = None

    def __post_init__(self) -> None:
        if not self.speaker_turns:
            self.speaker_turns = turns_from_words(self.words)

    def speaker(self, speaker_id: str) -> Speaker:
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise KeyError(speaker_id)

    def role_of(self, speaker_id: str) -> Role:
        return self.speaker(speaker_id).role

    @property
    def turns(self) -> list[Turn]:
        return build_turns(self.words)


def build_turns(words: list[Word]) -> list[Turn]:
    """Group consecutive words of the same speaker into turns."""
    turns: list[Turn] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and words[j].speaker == words[i].speaker:
            j += 1
        run = words[i:j]
        turns.append(
            Turn(
                speaker=words[i].speaker,
                start=run[0].start,
                end=max(w.end for w in run),
                text=join_words([w.word for w in run]),
                word_start=i,
                word_end=j,
            )
        )
        i = j
    return turns


def turns_from_words(words: list[Word]) -> list[SpeakerTurn]:
    """One `SpeakerTurn` per run of consecutive words by one speaker (`build_turns`)."""
    return [SpeakerTurn(t.speaker, t.start, t.end) for t in build_turns(words)]


def merge_turns(turns: list[SpeakerTurn], max_pause_s: float = 0.0) -> list[SpeakerTurn]:
    """Per speaker, join turns that overlap or are at most `max_pause_s` apart; sorted by start
    (then speaker). Turns of different speakers are left as they are, overlapping or not."""
    by_speaker: dict[str, list[SpeakerTurn]] = {}
    for t in sorted(turns, key=lambda t: (t.start, t.end)):
        own = by_speaker.setdefault(t.speaker, [])
        if own and t.start - own[-1].end <= max_pause_s:
            own[-1] = SpeakerTurn(t.speaker, own[-1].start, max(own[-1].end, t.end))
        else:
            own.append(t)
    return sorted((t for own in by_speaker.values() for t in own), key=lambda t: (t.start, t.speaker, t.end))


def name_matches(label: str | None, wanted: str) -> bool:
    """Whether `wanted` names the speaker labelled `label`: equal ignoring case and spacing, or equal
    to the label without a parenthesised affiliation ("Alex Rivera" names "Alex Rivera (Acme)")."""
    if label is None:
        return False
    target = _norm_name(wanted)
    return bool(target) and target in (_norm_name(label), _norm_name(re.sub(r"\([^)]*\)", " ", label)))


def _norm_name(name: str) -> str:
    return " ".join(name.casefold().split())


def join_words(tokens: list[str]) -> str:
    """Join recogniser words into readable text: a space between words, none between two Chinese
    characters ("我们用 Salesforce 的方案", `transcription.scripts`)."""
    return word_offsets(tokens)[0]
