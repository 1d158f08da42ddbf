"""How many people are talking: the voices' count, checked against the words' own stretches.

The clustering counts voices. Two voices that CAM++ puts close together and that the segmentation
model never hears as two local speakers come out as one, although the call is plainly a dialogue;
and now and then one voice comes out as two, the second with a few seconds of its speech. So on a
mono call with words, the best two-speaker account of the same call from the stretches between the
words' pauses and sentence ends (`OverlapDiarizer.split`, `stretches.py`) is weighed:

- the voices, from the split (`VoiceSplit`): `voice_gap`, how far apart the two groups' CAM++
  centroids are against how far a stretch lies from its own group's (one voice split in two gives
  at most 1.2 on the tuning calls), and `pitch_gap`, the two groups' mean pitch apart in pooled
  standard deviations (at most 2.5 for one voice);
- the conversation, from the words the split gives each speaker (`Dialogue`): `turns`, how many
  times the speaker changes after a sentence's last word or a pause of `TURN_PAUSE_S`, and
  `minority`, the smaller speaker's share of the words; `aligned` and `answered` (the share of
  changes at such places, of questions the other speaker answers) are reported, not required: a
  split that follows the stretches changes speaker only there.

The split holds two voices when `voice_gap` or `pitch_gap` reaches its bar (`Bars`), or the two
together reach `Bars.joint` (`joint_evidence`: each gap over its own bar, summed: two similar voices
can be fairly high on both where one voice split in two is rarely high on both), and the
conversation reaches its bars. Then:

- one speaker from the voices: the split is kept (two speakers);
- three speakers where two people are expected (`expected` 2, the default prior included), one of
  them with under `SMALL_VOICE` of the speech: the small one joins the voice whose centroid is
  nearer (`ABSORB_SMALL_THIRD`; the clustering found the two main voices), and the two are weighed
  as below;
- two speakers, one of them with under `SMALL_VOICE` of the speech (what a spurious second cluster
  or a mixed-up pair looks like): the split replaces them when it holds two voices; when both voice
  features are under their bars (one voice) and the split was made on at least `MERGE_STRETCHES`
  stretches (a merge removes a voice the clustering found: it needs more phrases than a short
  excerpt has), the two merge into one speaker.

A hint of two or more people (the upload's `expected_speakers`, the CLI's `--speakers`, the server's
default for calls, `TALKTRACK_CALL_SPEAKERS`, 2) lowers the conversation's bars (`HINTED`;
`UNHINTED` without one); the voice bars stay where the one-voice tuning calls end. A hint of 3 or
more leaves a two-speaker result alone. The decision's `margin` is how far the deciding feature is
from its bar, relative to the bar; under `UNSURE_MARGIN` (or a person's hint that could not be met)
the call carries a `speakers_note`. The bars were read off tuning calls only
(`bench/speaker_count_tune.py`; docs/diarization.md, "Speaker count").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from transcription.types import CountEvidence, SpeakersNote, Word

from .segments import SpeakerSegment
from .words import assign_speakers

if TYPE_CHECKING:
    from .overlap_diarizer import OverlapDiarizer
    from .stretches import VoiceSplit

FloatArray = npt.NDArray[np.float32]

TURN_PAUSE_S = 0.3
SENTENCE_END = (".", "?", "!")
SMALL_VOICE = 0.1  # a second voice with under this share of the speech time is weighed again
MERGE_STRETCHES = 12  # a merge into one speaker needs a split made on at least this many stretches
# Three voices where two people are expected, one with under SMALL_VOICE of the speech: the small one
# joins the nearer voice (False: the rule before, the phrases' split replaces all three when it
# holds two voices; `bench.speaker_count_ab` compares the two).
ABSORB_SMALL_THIRD = True


@dataclass(frozen=True, slots=True)
class Bars:
    """Two voices: `voice_gap` or `pitch_gap` at least this, or the two together at least `joint`
    (`joint_evidence`: each over its own bar, summed); and the conversation: at least `turns` changes
    of speaker at turn ends and a `minority` share of the words."""

    voice_gap: float
    pitch_gap: float
    turns: int
    minority: float
    joint: float = 1.25


UNHINTED = Bars(voice_gap=1.45, pitch_gap=3.1, turns=5, minority=0.2)
HINTED = Bars(voice_gap=1.45, pitch_gap=3.1, turns=4, minority=0.15)
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


def joint_evidence(voices: VoiceSplit, bars: Bars) -> float:
    """The two voice features together: `voice_gap` over its bar plus `pitch_gap` over its bar. Two
    voices that CAM++ puts close together and whose pitch differs by less than the pitch bar can
    still show both gaps well above one voice's; one voice split in two is rarely high on both."""
    return voices.voice_gap / bars.voice_gap + voices.pitch_gap / bars.pitch_gap


def voice_margin(voices: VoiceSplit, bars: Bars) -> float:
    """How clearly the split holds two voices: the best of the voice features' distance from its bar
    (`voice_gap`, `pitch_gap`, the two together), relative to the bar (negative: all under their
    bars, one voice)."""
    return max((voices.voice_gap - bars.voice_gap) / bars.voice_gap,
               (voices.pitch_gap - bars.pitch_gap) / bars.pitch_gap,
               (joint_evidence(voices, bars) - bars.joint) / bars.joint)


def two_speaker_margin(voices: VoiceSplit, talk: Dialogue, bars: Bars) -> float:
    """The weakest of the voices' margin and the conversation's, relative to the bars."""
    return min(voice_margin(voices, bars), (talk.turns - bars.turns) / bars.turns,
               (talk.minority - bars.minority) / bars.minority)


@dataclass(frozen=True, slots=True)
class CountDecision:
    """The speakers a mono call ends with. `segments` / `embeddings`: the diarizer's turns and
    centroids, the two-speaker split's (`split`) or one merged speaker's (`merged`). `voices` /
    `dialogue`: the evidence, when a split was weighed; `margin`: how clearly it decided; `unsure`:
    the margin is under `UNSURE_MARGIN`; `warning`: a person's hint could not be met."""

    segments: list[SpeakerSegment]
    embeddings: dict[str, FloatArray]
    split: bool = False
    merged: bool = False
    dialogue: Dialogue | None = None
    voices: VoiceSplit | None = None
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
    """The speakers of a mono call from the diarizer's `segments` (from `finish()`) and `words`
    (see the module doc). `expected`: the number of people the call is said to have (a prior: it
    lowers the bars, never forces a second voice); `hinted`: a person said so for this call (not a
    deployment default): a miss is then warned."""
    embeddings = dict(diarizer.speaker_embeddings)
    found = sorted({s.speaker for s in segments})
    if ABSORB_SMALL_THIRD and len(found) == 3 and expected == 2 and _smaller_share(segments) < SMALL_VOICE:
        # Three voices where two people are expected, one hardly heard: it joins the nearer voice.
        segments, embeddings = _absorbed(segments, embeddings)
        found = sorted({s.speaker for s in segments})
    # Two voices, one of them hardly heard (or three such, without `ABSORB_SMALL_THIRD`).
    small = (len(found) == 2 or (len(found) == 3 and expected == 2)) and _smaller_share(segments) < SMALL_VOICE
    if not words or (expected is not None and expected < 2) or not (len(found) == 1 or small):
        return CountDecision(segments, embeddings)
    if small and expected is not None and expected > 2:
        return CountDecision(segments, embeddings)
    two, two_embeddings = diarizer.split(words)
    voices = diarizer.split_voices
    bars = HINTED if expected is not None and expected >= 2 else UNHINTED
    if voices is None or len({s.speaker for s in two}) != 2:
        warning = _missed(expected) if hinted and len(found) == 1 else None
        return CountDecision(segments, embeddings, unsure=warning is not None, warning=warning)
    talk = dialogue(words, two)
    margin = two_speaker_margin(voices, talk, bars)
    if margin >= 0:
        return CountDecision(two, two_embeddings, True, False, talk, voices, margin, margin < UNSURE_MARGIN)
    if len(found) == 2 and voice_margin(voices, bars) < 0 and voices.clustered >= MERGE_STRETCHES:  # one voice
        one, kept = _merged(segments, embeddings)
        vm = -voice_margin(voices, bars)
        warning = _missed(expected) if hinted else None
        return CountDecision(one, kept, False, True, talk, voices, -vm,
                             vm < UNSURE_MARGIN or warning is not None, warning)
    warning = _missed(expected) if hinted and len(found) == 1 else None
    unsure = (-margin < UNSURE_MARGIN and len(found) == 1) or warning is not None
    return CountDecision(segments, embeddings, False, False, talk, voices, margin, unsure, warning)


# A person said the call has `expected` people (a hint for this call), and one voice was found.
MISSED_SPEAKERS_WARNING = ("{expected} speakers were expected, but one voice was found: the recording does not "
                           "show two people taking turns")


def _missed(expected: int | None) -> str:
    return MISSED_SPEAKERS_WARNING.format(expected=expected)


def _smaller_share(segments: list[SpeakerSegment]) -> float:
    """The least-heard speaker's share of the main turns' time."""
    time: dict[str, float] = {}
    for s in segments:
        if not s.overlap:
            time[s.speaker] = time.get(s.speaker, 0.0) + s.end - s.start
    total = sum(time.values())
    return min(time.values()) / total if total > 0 and len(time) > 1 else 1.0


def _absorbed(segments: list[SpeakerSegment], embeddings: dict[str, FloatArray]
              ) -> tuple[list[SpeakerSegment], dict[str, FloatArray]]:
    """The least-heard speaker's turns given to the speaker whose centroid is nearest to its own
    (touching main turns of one speaker joined, overlap turns cut where they lie under the same
    speaker's main turns), the speakers numbered again S1, S2 in order of first speech."""
    time: dict[str, float] = {}
    for s in segments:
        if not s.overlap:
            time[s.speaker] = time.get(s.speaker, 0.0) + s.end - s.start
    least = min(time, key=lambda k: time[k])
    others = [k for k in time if k != least]
    if least not in embeddings or not all(k in embeddings for k in others):
        return segments, embeddings
    into = max(others, key=lambda k: float(embeddings[k] @ embeddings[least]))
    main: list[SpeakerSegment] = []
    for s in sorted((replace(s, speaker=into if s.speaker == least else s.speaker) for s in segments if not s.overlap),
                    key=lambda s: s.start):
        if main and main[-1].speaker == s.speaker and s.start <= main[-1].end:
            main[-1] = replace(main[-1], end=max(main[-1].end, s.end))
        else:
            main.append(s)
    over: list[SpeakerSegment] = []
    for s in segments:
        if s.overlap:  # never over the same speaker's own turns: those parts are cut out
            pieces = [replace(s, speaker=into if s.speaker == least else s.speaker)]
            for m in main:
                pieces = [q for o in pieces for q in _outside(o, m)] if m.speaker == pieces[0].speaker else pieces
                if not pieces:
                    break
            over += pieces
    out = sorted(main + over, key=lambda s: (s.start, s.overlap))
    order = list(dict.fromkeys(s.speaker for s in out))
    name = {old: f"S{i + 1}" for i, old in enumerate(order)}
    return ([replace(s, speaker=name[s.speaker]) for s in out],
            {name[k]: embeddings[k] for k in order})


def _outside(turn: SpeakerSegment, other: SpeakerSegment) -> list[SpeakerSegment]:
    """The parts of `turn` outside `other`'s time."""
    if other.end <= turn.start or turn.end <= other.start:
        return [turn]
    parts = [replace(turn, end=other.start)] if turn.start < other.start else []
    return parts + ([replace(turn, start=other.end)] if other.end < turn.end else [])


def _merged(segments: list[SpeakerSegment], embeddings: dict[str, FloatArray]
            ) -> tuple[list[SpeakerSegment], dict[str, FloatArray]]:
    """Every main turn as "S1" (touching turns joined, overlap turns dropped), with the centroid of
    the speaker heard most."""
    time: dict[str, float] = {}
    for s in segments:
        if not s.overlap:
            time[s.speaker] = time.get(s.speaker, 0.0) + s.end - s.start
    main_voice = max(time, key=lambda k: time[k])
    out: list[SpeakerSegment] = []
    for s in sorted((s for s in segments if not s.overlap), key=lambda s: s.start):
        if out and s.start <= out[-1].end:
            out[-1] = replace(out[-1], end=max(out[-1].end, s.end))
        else:
            out.append(SpeakerSegment(s.start, s.end, "S1"))
    kept = {"S1": embeddings[main_voice]} if main_voice in embeddings else {}
    return out, kept


def speakers_note_of(decision: CountDecision) -> SpeakersNote | None:
    """Why the call's speaker count is unsure and how to fix it, or None when it is not. The note
    keeps its `case` and `evidence` beside the English, so a page can say the same in its reader's
    language (`service.web.call_view`, whose marked messages have exactly this English)."""
    if not decision.unsure:
        return None
    facts = count_evidence(decision)
    evidence = "too few words to weigh a second voice"
    if facts is not None:
        evidence = (f"voice gap {facts.voice_gap:.2f} and pitch gap {facts.pitch_gap:.2f} between the two groups of "
                    f"phrases (one voice gives about 1 and under 2.5, and rarely both high); {facts.turns} changes of "
                    f"speaker at pauses or sentence ends; {facts.questions} questions, "
                    f"{round(100 * facts.answered)}% answered by the other voice")
    two_fix = ("If the speakers are right but the rep is not, choose the rep under \"Fix speakers\" on the call page, "
               "with PATCH /v1/calls/ID/speakers or `talktrack relabel CALL.json --speaker S1=rep --speaker "
               "S2=customer`. If it is one person, analyse the recording again with `--speakers 1` (API: "
               "`expected_speakers=1`).")
    one_fix = ("If two people talk, analyse the recording again with `talktrack analyze CALL --speakers 2 "
               "--force-speakers`; \"Fix speakers\" on the call page and PATCH /v1/calls/ID/speakers can then set "
               "who the rep is.")
    if decision.split:
        return SpeakersNote("Two speakers were found from the phrases' voices and pitch and how the conversation goes "
                            f"({evidence}); the evidence is close to the bar, so the split may be wrong.", two_fix,
                            "split", facts)
    if decision.merged:
        return SpeakersNote("The voices first gave a second speaker with very little speech, but the phrases sound "
                            f"like one voice ({evidence}), so the call has one speaker; this is close to the bar.",
                            one_fix, "merged", facts)
    return SpeakersNote("One voice was found, but the recording may hold two people whose voices sound alike "
                        f"({evidence}); too little sets a second voice apart to split it.", one_fix, "one_voice", facts)


def count_evidence(decision: CountDecision) -> CountEvidence | None:
    """The numbers a speakers note quotes, or None when no split was weighed (too few words). The
    gaps are rounded to the 2 decimals the note shows, so the JSON holds what people read."""
    d, v = decision.dialogue, decision.voices
    if d is None or v is None:
        return None
    return CountEvidence(voice_gap=round(float(v.voice_gap), 2), pitch_gap=round(float(v.pitch_gap), 2),
                         turns=int(d.turns), questions=int(d.questions), answered=float(d.answered))
