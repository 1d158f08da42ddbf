"""What the language stage finds in a transcript: questions, tracker hits, next steps, metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal["open", "yes_no", "choice", "declarative", "tag"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("open", "yes_no", "choice", "declarative", "tag")


@dataclass(frozen=True, slots=True)
class QuestionReading:
    """What a question classifier found in one sentence: its type (None when it is not a
    question) and whether it is a backchannel ("Really?") or rhetorical ("Who knows?")."""

    type: QuestionType | None
    is_backchannel: bool = False
    is_rhetorical: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """A countable question (backchannels such as "Really?" and rhetorical questions are not)."""

    speaker: str
    start: float
    end: float
    text: str
    type: QuestionType


@dataclass(frozen=True, slots=True)
class TrackerHit:
    """A tracker (pricing, competitors, ...) matched in one sentence.

    `match` is "phrase" for a lemma match on a listed phrase, "semantic" for a match by meaning;
    `phrase` is the listed phrase or example that matched; `score` is 1.0 for phrase matches and
    the cosine similarity for semantic ones.
    """

    tracker: str
    speaker: str
    start: float
    end: float
    text: str
    match: Literal["phrase", "semantic"]
    phrase: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class NextStep:
    """A commitment to a future action ("I'll send the proposal by Friday")."""

    speaker: str
    start: float
    end: float
    text: str
    action: str
    date_phrase: str | None = None


@dataclass(slots=True)
class CallMetrics:
    """How the call was run. Definitions are in the README ("Metrics"); `None` means the metric
    does not apply (no rep identified, no timing in the transcript, no question asked)."""

    talk_ratio: float | None = None
    longest_monologue_s: float | None = None
    longest_customer_story_s: float | None = None
    interactivity: float | None = None
    patience_s: float | None = None
    interruptions_rep: int | None = None
    interruptions_customer: int | None = None
    question_count_rep: int = 0
    question_count_customer: int = 0
    open_question_count_rep: int = 0
    open_questions_first_90s: int = 0
    first_question_s: float | None = None
    words_per_minute_rep: float | None = None
    filler_rate_rep: float | None = None
    filler_count_by_speaker: dict[str, int] = field(default_factory=dict)
