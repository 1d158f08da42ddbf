"""How many people are talking: the voices' count, checked against the conversation.

The clustering counts voices. Two voices that CAM++ puts close together and that the segmentation
model never hears as two local speakers come out as one, although the call is plainly a dialogue.
So when the voices give one speaker on a mono call, the best two-speaker split of the same call
(`OverlapDiarizer.split(2)`) is weighed against what was said, using only what the transcription
layer has: the words, their punctuation and their timing.

- `aligned`: the share of the split's changes of speaker that fall where a turn can end (after a
  sentence's last word, or after a pause of `TURN_PAUSE_S`). Two people take turns at such places;
  a split of one voice changes speaker in mid-sentence too.
- `answered`: the share of questions (a word ending in "?") that the other speaker answers (the
  next word is theirs).
- `turns`: how many times the speaker changes at such a place.
- `minority`: the smaller speaker's share of the words.
- `spread` (the voices): the first singular value of the centred 1 s hop embeddings over the second
  (`OverlapDiarizer.split_spread`): one direction dominates when two voices are there.

The split is kept when every feature reaches its bar (`Bars`; `answered` only when the call has
questions). A hint of two or more people (the upload's `expected_speakers`, the CLI's `--speakers`,
the server's default for calls, `TALKTRACK_CALL_SPEAKERS`, 2) lowers the bars (`HINTED`; `UNHINTED`
without one). The decision's `margin` is how far the weakest feature is from its bar, relative to
the bar; under `UNSURE_MARGIN` (or a person's hint that could not be met) the call carries a
`speakers_note`. The bars were read off tuning calls only (`bench/speaker_count_tune.py`;
docs/diarization.md, "Speaker count").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from transcription.types import SpeakersNote, Word

from .segments import SpeakerSegment
from .words import assign_speakers

if TYPE_CHECKING:
    from .overlap_diarizer import OverlapDiarizer

FloatArray = npt.NDArray[np.float32]

TURN_PAUSE_S = 0.3
SENTENCE_END = (".", "?", "!")


@dataclass(frozen=True, slots=True)
class Bars:
    aligned: float
    answered: float
    turns: int
    minority: float
    spread: float


UNHINTED = Bars(aligned=0.75, answered=0.5, turns=4, minority=0.2, spread=1.3)
HINTED = Bars(aligned=0.6, answered=0.34, turns=3, minority=0.15, spread=1.15)
UNSURE_MARGIN = 0.15


@dataclass(frozen=True, slots=True)
class Dialogue:
    """What the words say about a two-speaker split (see the module doc)."""

    words: int
    changes: int
    turns: int
    aligned: float
    questions: int
    answered: float
    minority: float

    def margin(self, bars: Bars) -> float:
        """The weakest feature's distance from its bar, relative to the bar (negative: below)."""
        parts = [
            (self.aligned - bars.aligned) / bars.aligned,
            (self.turns - bars.turns) / bars.turns,
            (self.minority - bars.minority) / bars.minority,
        ]
        if self.questions:
            parts.append((self.answered - bars.answered) / bars.answered)
        return min(parts)


def dialogue(words: list[Word], segments: list[SpeakerSegment]) -> Dialogue:
    """The dialogue features of `words` (sorted by time) when they get their speakers from `segments`."""
    ws = assign_speakers(words, segments)
    if not ws:
        return Dialogue(0, 0, 0, 0.0, 0, 0.0, 0.0)
    counts: dict[str, int] = {}
    for w in ws:
        counts[w.speaker] = counts.get(w.speaker, 0) + 1
    minority = (len(ws) - max(counts.values())) / len(ws)
    changes = turns = questions = answered = 0
    for a, b in zip(ws, ws[1:], strict=False):
        boundary = a.word.rstrip("\"')").endswith(SENTENCE_END) or b.start - a.end >= TURN_PAUSE_S
        changed = a.speaker != b.speaker
        changes += changed
        turns += changed and boundary
        if a.word.rstrip("\"')").endswith("?"):
            questions += 1
            answered += changed
    return Dialogue(
        words=len(ws),
        changes=changes,
        turns=turns,
        aligned=turns / changes if changes else 0.0,
        questions=questions,
        answered=answered / questions if questions else 0.0,
        minority=minority,
    )


@dataclass(frozen=True, slots=True)
class CountDecision:
    """The speakers a mono call ends with. `segments` / `embeddings`: the diarizer's turns and
    centroids (the two-speaker split's when it was kept). `dialogue` / `spread`: the evidence, when a
    split was weighed; `margin`: how clearly it decided (`Dialogue.margin`, spread included);
    `unsure`: the margin is under `UNSURE_MARGIN`; `warning`: the hint could not be met."""

    segments: list[SpeakerSegment]
    embeddings: dict[str, FloatArray]
    split: bool = False
    dialogue: Dialogue | None = None
    spread: float | None = None
    margin: float | None = None
    unsure: bool = False
    warning: str | None = None


def settle_count(
    diarizer: OverlapDiarizer,
    segments: list[SpeakerSegment],
    words: list[Word],
    expected: int | None = None,
    *,
    hinted: bool = False,
) -> CountDecision:
    """Keep the diarizer's `segments` (from `finish()`), or, when they hold one speaker and `words`
    show a dialogue, its best two-speaker split (see the module doc). `expected`: the number of
    people the call is said to have (a prior: it lowers the bars, never forces a second voice);
    `hinted`: a person said so for this call (not a deployment default): a miss is then warned."""
    embeddings = dict(diarizer.speaker_embeddings)
    found = {s.speaker for s in segments}
    if len(found) != 1 or (expected is not None and expected < 2) or not words:
        return CountDecision(segments, embeddings)
    two, two_embeddings = diarizer.split(2)
    spread = diarizer.split_spread or 0.0
    bars = HINTED if expected is not None and expected >= 2 else UNHINTED
    evidence = dialogue(words, two)
    margin = min(evidence.margin(bars), (spread - bars.spread) / bars.spread)
    keep = margin >= 0 and len({s.speaker for s in two}) == 2
    unsure = abs(margin) < UNSURE_MARGIN or (hinted and not keep)
    warning = None
    if hinted and expected is not None and not keep:
        warning = (f"{expected} speakers were expected, but one voice was found: the recording does not show "
                   "two people taking turns")
    if keep:
        return CountDecision(two, two_embeddings, True, evidence, spread, margin, unsure, warning)
    return CountDecision(segments, embeddings, False, evidence, spread, margin, unsure, warning)


def speakers_note_of(decision: CountDecision) -> SpeakersNote | None:
    """Why the call's speaker count is unsure and how to fix it, or None when it is not."""
    if not decision.unsure or decision.dialogue is None:
        return None
    d = decision.dialogue
    evidence = (f"{d.turns} changes of speaker at pauses or sentence ends, {round(100 * d.aligned)}% of all changes; "
                f"{d.questions} questions, {round(100 * d.answered)}% answered by the other voice; voice spread "
                f"{decision.spread or 0:.2f}")
    if decision.split:
        why = ("Two speakers were found from how the conversation goes, not from the voices, which sound alike "
               f"({evidence}); the split is close to the bar, so it may be wrong.")
        fix = ("If the speakers are right but the rep is not, choose the rep under \"Fix speakers\" on the call page, "
               "with PATCH /v1/calls/ID/speakers or `talktrack relabel CALL.json --speaker S1=rep --speaker "
               "S2=customer`. If it is one person, analyse the recording again with `--speakers 1` (API: "
               "`expected_speakers=1`).")
    else:
        why = ("One voice was found, but the recording may hold two people whose voices sound alike "
               f"({evidence}); too little shows two people taking turns to split it.")
        fix = ("If two people talk, analyse the recording again with `talktrack analyze CALL --speakers 2 "
               "--force-speakers`; \"Fix speakers\" on the call page and PATCH /v1/calls/ID/speakers can then set "
               "who the rep is.")
    return SpeakersNote(why, fix)
