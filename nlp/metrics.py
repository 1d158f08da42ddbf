"""Call metrics: how the call was run. Definitions (also in the README, "Metrics"):

- `talk_ratio`: rep speaking time / all speakers' speaking time. A speaker's speaking time is the
  union of their word intervals, so silence is excluded.
- `longest_monologue_s` / `longest_customer_story_s`: longest run of rep / customer speech that the
  other side does not interrupt by speaking for `MONOLOGUE_BREAK_S` (1 s) or more; shorter
  interjections ("mm-hmm", "right") do not break it. Measured from the run's first word start to its
  last word end.
- `interactivity`: speaker switches per minute of conversation (first word start to last word end).
- `patience_s`: mean pause between the end of a customer turn and the start of the rep turn that
  directly follows it (overlaps count as 0).
- `interruptions_rep` / `interruptions_customer`: how often the rep / the customer starts a turn
  while another speaker is mid-utterance: that speaker's turn started earlier and both talk at once
  for at least `INTERRUPTION_MIN_OVERLAP_S` (0.5 s), and the new turn is not a backchannel
  ("mm-hmm", "yeah", `nlp.backchannels`; a turn without words of its own is one when shorter than
  `MONOLOGUE_BREAK_S`). Counted on `Transcript.speaker_turns` (the diarizer's overlapped speech on
  mono, the channels on stereo), each speaker's turns first joined over pauses up to
  `TURN_PAUSE_S`.
- `question_count_rep`, `question_count_customer`, `open_question_count_rep`: countable questions
  (backchannels and rhetorical questions excluded) by role and type.
- `open_questions_first_90s`: rep open questions that start within 90 s of the first speech.
- `first_question_s`: seconds from the first speech to the start of the rep's first question.
- `words_per_minute_rep`: rep words per minute of rep speaking time; on Chinese text each Chinese
  character counts as a word (`transcription.scripts.spoken_units`), so it is characters per minute
  there (and is labelled so), not comparable with English words per minute.
- `filler_rate_rep`: filler words per 100 rep words (per 100 characters on Chinese text).

Time-based metrics are `None` for transcripts without timing; role-based ones are `None` when no
speaker is the rep.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from nlp.backchannels import is_backchannel_text
from nlp.types import CallMetrics, Question
from transcription.scripts import cjk_count, spoken_units
from transcription.types import Role, SpeakerTurn, Transcript, Turn, Word, join_words, merge_turns

MONOLOGUE_BREAK_S = 1.0
OPENING_WINDOW_S = 90.0
# Simultaneous talk shorter than this is a speaker starting a little early at the end of the other's
# turn (a "terminal overlap", Schegloff 2000), which turn transitions do all the time: the gap between
# turns is typically only about 200 ms either way (Levinson & Torreira 2015). Half a second of both
# talking is beyond that and beyond the word and diarization timing error (about 0.1-0.2 s).
INTERRUPTION_MIN_OVERLAP_S = 0.5
# A speaker's pauses up to this are within one turn (the diarizer's own gap fill); not above
# INTERRUPTION_MIN_OVERLAP_S, so a turn that fits inside another's pause cannot count.
TURN_PAUSE_S = 0.5


@dataclass(frozen=True, slots=True)
class _RoleRun:
    start: float
    end: float


def compute_metrics(
    transcript: Transcript,
    questions: list[Question],
    filler_counts: dict[str, int],
) -> CallMetrics:
    """Compute every metric of `CallMetrics` from a speaker-attributed transcript, its questions and
    the filler counts per speaker id."""
    roles = {s.id: s.role for s in transcript.speakers}
    words = transcript.words
    rep_ids = {sid for sid, role in roles.items() if role == "rep"}
    has_rep = bool(rep_ids) and any(w.speaker in rep_ids for w in words)
    has_customer = any(roles.get(w.speaker) == "customer" for w in words)
    timed = transcript.has_timing and bool(words)

    rep_questions = [q for q in questions if roles.get(q.speaker) == "rep"]
    metrics = CallMetrics(
        question_count_rep=len(rep_questions),
        question_count_customer=sum(1 for q in questions if roles.get(q.speaker) == "customer"),
        open_question_count_rep=sum(1 for q in rep_questions if q.type == "open"),
        filler_count_by_speaker=dict(sorted(filler_counts.items())),
    )
    rep_word_count = sum(word_units(w.word) for w in words if w.speaker in rep_ids)
    if has_rep and rep_word_count:
        rep_fillers = sum(n for sid, n in filler_counts.items() if sid in rep_ids)
        metrics.filler_rate_rep = round(100.0 * rep_fillers / rep_word_count, 3)
    if not timed:
        return metrics

    first_speech = min(w.start for w in words)
    last_speech = max(w.end for w in words)
    turns = transcript.turns
    talk = speaking_time_by_speaker(words)
    total_talk = sum(talk.values())

    span_min = (last_speech - first_speech) / 60.0
    if span_min > 0:
        metrics.interactivity = round((len(turns) - 1) / span_min, 3)

    if has_rep:
        rep_talk = sum(t for sid, t in talk.items() if sid in rep_ids)
        if total_talk > 0:
            metrics.talk_ratio = round(rep_talk / total_talk, 4)
        if rep_talk > 0:
            metrics.words_per_minute_rep = round(rep_word_count / (rep_talk / 60.0), 2)
        metrics.longest_monologue_s = round(_longest_run(turns, words, roles, "rep"), 3)
        metrics.open_questions_first_90s = sum(
            1 for q in rep_questions if q.type == "open" and q.start - first_speech < OPENING_WINDOW_S
        )
        if rep_questions:
            metrics.first_question_s = round(min(q.start for q in rep_questions) - first_speech, 3)
        pauses = [
            max(0.0, nxt.start - cur.end)
            for cur, nxt in zip(turns, turns[1:], strict=False)
            if roles.get(cur.speaker) == "customer" and roles.get(nxt.speaker) == "rep"
        ]
        if pauses:
            metrics.patience_s = round(sum(pauses) / len(pauses), 3)
    interrupting = [roles.get(t.speaker) for t in interruptions(transcript.speaker_turns, words)]
    if has_rep:
        metrics.interruptions_rep = interrupting.count("rep")
    if has_customer:
        metrics.longest_customer_story_s = round(_longest_run(turns, words, roles, "customer"), 3)
        metrics.interruptions_customer = interrupting.count("customer")
    return metrics


def word_units(token: str) -> int:
    """What one recogniser word counts as: 1, or its characters when it is Chinese ("情况": 2)."""
    return spoken_units(token) if cjk_count(token) else 1


def interruptions(speaker_turns: list[SpeakerTurn], words: list[Word]) -> list[SpeakerTurn]:
    """The turns that interrupt (see the module doc for the definition), in time order.

    `words` give each turn its text: the words of its speaker that start within it (on mono audio
    the words of overlapped speech often went to the other speaker, so an overlap turn may have
    none; then its length decides whether it is a backchannel)."""
    turns = merge_turns(speaker_turns, TURN_PAUSE_S)
    by_speaker: dict[str, list[Word]] = {}
    for w in words:
        by_speaker.setdefault(w.speaker, []).append(w)
    found: list[SpeakerTurn] = []
    latest: dict[str, SpeakerTurn] = {}  # per speaker, the turn that started last so far
    for turn in turns:  # by start; one speaker's merged turns do not overlap
        held = any(
            other.speaker != turn.speaker
            and other.start < turn.start
            and min(other.end, turn.end) - turn.start >= INTERRUPTION_MIN_OVERLAP_S
            for other in latest.values()
        )
        if held and not _is_backchannel_turn(turn, by_speaker.get(turn.speaker, [])):
            found.append(turn)
        latest[turn.speaker] = turn
    return found


def _is_backchannel_turn(turn: SpeakerTurn, own_words: list[Word]) -> bool:
    """`own_words`: the turn's speaker's words, sorted by start."""
    lo = bisect_left(own_words, turn.start - 1e-6, key=lambda w: w.start)
    hi = bisect_right(own_words, turn.end + 1e-6, key=lambda w: w.start)
    text = join_words([w.word for w in own_words[lo:hi]])
    if not text:
        return turn.end - turn.start < MONOLOGUE_BREAK_S
    return is_backchannel_text(text)


def speaking_time_by_speaker(words: list[Word]) -> dict[str, float]:
    """Per speaker id, the union of that speaker's word intervals (silence excluded)."""
    by_speaker: dict[str, list[tuple[float, float]]] = {}
    for w in words:
        by_speaker.setdefault(w.speaker, []).append((w.start, w.end))
    return {spk: union_length(iv) for spk, iv in by_speaker.items()}


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by possibly overlapping intervals."""
    total = 0.0
    cur: tuple[float, float] | None = None
    for start, end in sorted(intervals):
        if cur is None or start > cur[1]:
            if cur is not None:
                total += cur[1] - cur[0]
            cur = (start, end)
        else:
            cur = (cur[0], max(cur[1], end))
    if cur is not None:
        total += cur[1] - cur[0]
    return total


def _longest_run(turns: list[Turn], words: list[Word], roles: dict[str, Role], role: Role) -> float:
    """Longest stretch of `role` speech not broken by >= MONOLOGUE_BREAK_S of anyone else's speech."""
    longest = 0.0
    run: _RoleRun | None = None
    interruption: list[tuple[float, float]] = []
    for turn in turns:
        if roles.get(turn.speaker) == role:
            if run is not None and union_length(interruption) < MONOLOGUE_BREAK_S:
                run = _RoleRun(run.start, max(run.end, turn.end))
            else:
                run = _RoleRun(turn.start, turn.end)
            interruption = []
            longest = max(longest, run.end - run.start)
        else:
            interruption.extend((w.start, w.end) for w in words[turn.word_start : turn.word_end])
    return longest
