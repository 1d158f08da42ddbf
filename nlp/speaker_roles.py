"""Who is the rep, from what is said: a small, explainable scorer for calls whose speakers have no role.

Used when nothing stronger (stereo channel, voice profile, the uploading rep, a named speaker) said
who the rep is. Each speaker gets a few counts from the language stage's findings:

- `intro`: introduces themselves with a company ("this is Sam from Acme", "I'm with Acme");
- `thanks_time`: thanks the other for their time ("thanks for taking the time");
- `questions`, `open_questions`: share of the call's countable questions (open ones on their own);
- `pitch`: presents ("our platform ...", "we offer ...", "you'd be able to ...");
- `next_steps`: share of the call's next steps (`nlp.next_steps`);
- `vendor_address`: asks about the vendor ("your product", "how much does it cost"): a customer cue;
- `situation`: describes their own set-up ("right now we ...", "we use ..."): a customer cue.

Chinese calls use the same features with Chinese cues (`_PATTERNS_ZH`): "我是云帆软件的王磊",
"感谢您抽时间", "我们的产品/我们可以帮…" and asking about the customer's situation ("您这边现在用…")
for the rep, "你们的价格/多少钱" and "我们现在用的是…" for the customer.

A speaker's score is `WEIGHTS · (features - the speakers' mean)`; the probability that speaker i is
the rep is the softmax of the scores (for two speakers, a logistic regression on the difference of
their features). The rep is the most probable speaker and everyone else a customer, with
`role_confidence` = that probability. Below `CONTENT_THRESHOLD` (`CONTENT_THRESHOLD_MANY` with three
or more speakers) nothing is assigned and the reason says how close it was. The weights were fit by
`bench/roles_train.py` on generated sales calls (`bench/sales_calls.py`, training seeds only); see
docs/diarization.md ("Who is the rep").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from nlp.types import NextStep, Question
from transcription.types import Transcript, join_words

FEATURES: tuple[str, ...] = (
    "intro", "thanks_time", "questions", "open_questions", "pitch", "next_steps", "vendor_address", "situation",
)
# Fit by `.venv/bin/python -m bench.roles_train` (logistic regression without intercept on the
# difference of the two speakers' features; generated calls, training seeds; C chosen on validation seeds).
WEIGHTS: dict[str, float] = {
    "intro": 1.12, "thanks_time": 0.55, "questions": 3.62, "open_questions": 0.79, "pitch": 3.94,
    "next_steps": 0.67, "vendor_address": -7.29, "situation": -5.96,
}
# Probability at or above which the most rep-like speaker is called the rep (chosen on validation
# seeds for >= 97% accuracy of what is assigned).
CONTENT_THRESHOLD = 0.8
# With three or more voices the probability is shared among several customers: the most rep-like
# speaker is the rep once it is more probable than all the others together. Chosen on the brief's
# dev calls with three people (`bench/brief_data`): the top speaker was the rep on all 17 as
# transcripts (5 of them between 0.57 and 0.79) and on all 8 mono recordings diarized into three
# voices (0.52-0.99); docs/diarization.md ("Who is the rep").
CONTENT_THRESHOLD_MANY = 0.5
# Fewer words than this in the whole call: nothing is inferred (a greeting says nothing about roles).
MIN_WORDS = 20
# A speaker with less than this share of the words does not compete for the rep (a diarization
# fragment); when fewer than two speakers are left, one voice holds nearly all the words (the
# diarization did not separate them) and nothing is inferred: its words mix both people's cues.
MIN_SPEAKER_SHARE = 0.1

# Why the scorer names no rep (`ContentRoles.reason`, the `reason` of `NO_REP_WHY_BECAUSE`): one
# speaker (`speaker`: its id) or none with words, too few `words`, one voice with `percent` of them,
# or the most rep-like `speaker` below the bar (`confidence` against `threshold`).
NO_REP_ONE_SPEAKER_REASON = "only one speaker ({speaker}) was found, so nothing tells the rep from the customer"
NO_REP_NO_WORDS_REASON = "the call has no words, so nothing tells the rep from the customer"
NO_REP_FEW_WORDS_REASON = "the call has only {words:d} words, too few to tell who the rep is from what is said"
NO_REP_ONE_VOICE_REASON = ("one voice has {percent:.0f}% of the words ({speaker}), so the speakers were probably not "
                           "told apart and what is said cannot show who the rep is")
NO_REP_UNCLEAR_REASON = ("what is said does not show clearly who the rep is (most rep-like: {speaker}, confidence "
                         "{confidence:.2f}; {threshold:.2f} needed)")
# A `RolesNote`'s `why`: its `head` (one of the three below: a mono recording, a stereo one, a
# transcript), with the scorer's `reason` where it gave one.
NO_REP_WHY = "{head}. Every rep metric is empty until the rep is known."
NO_REP_WHY_BECAUSE = "{head}, and {reason}. Every rep metric is empty until the rep is known."
NO_REP_MONO_HEAD = "No speaker is known to be the rep: no enrolled voice profile matched a voice in this mono recording"
NO_REP_STEREO_HEAD = "No speaker is known to be the rep"
NO_REP_TRANSCRIPT_HEAD = ("No speaker is known to be the rep: the transcript's speakers are not named as the rep "
                          "(`--rep NAME`)")

_INTRO = re.compile(
    r"\b(?:this is|my name is|i'm|i am|it's|it is)\s+[\w'-]+(?:\s+[\w'-]+)?\s*,?\s+(?:here\s+)?"
    r"(?:from|with|at|calling from|over at)\b"
    r"|\b(?:i'm|i am|i'm calling|calling)\s+(?:from|with)\s+\w"
    r"|\b(?:thanks for calling|you've reached)\b"
    r"|\b[\w'-]+\s+(?:here\s+)?from\s+[\w'-]+\s+here\b"
    r"|\b(?:hi|hello|hey|good (?:morning|afternoon))\s+(?!there\b)[\w'-]+\s*,\s*[\w'-]+(?:\s+[\w'-]+)?\s+(?:here\s+)?"
    r"from\s+\w",
    re.IGNORECASE,
)
_THANKS_TIME = re.compile(
    r"\b(?:thanks?|thank you|appreciate)(?: you)?(?: so much| very much)?\s+(?:for\s+)?"
    r"(?:taking|making|finding|giving me)\s+(?:the\s+|some\s+)?time"
    r"|\bthanks? (?:you )?for (?:jumping|hopping|getting) on\b|\bthanks for joining\b",
    re.IGNORECASE,
)
_PITCH = re.compile(
    r"\bour (?:platform|product|solution|tool|software|team|customers|clients|pricing|app|service)\b"
    r"|\bwe (?:offer|provide|help|connect|integrate|support|handle|built|also have)\b"
    r"|\byou(?:'d| would|'ll| will) be able to\b|\bmost of our\b|\bwhat we (?:usually )?see\b"
    r"|\b(?:it|the product|the platform) (?:does|integrates|connects|lets you|pulls|flags)\b",
    re.IGNORECASE,
)
_VENDOR_ADDRESS = re.compile(
    r"\byour (?:product|platform|tool|solution|software|pricing|company|service|offering|website|app)\b"
    r"|\bdo you (?:guys )?(?:offer|support|integrate|provide)\b|\bhow much (?:does|would|will|is) (?:it|this|that|the)\b"
    r"|\bhow much do you charge\b|\b(?:can|does) it\b",
    re.IGNORECASE,
)
_SITUATION = re.compile(
    r"\b(?:right now|currently|today|at the moment) we\b|\bwe(?:'re| are) (?:using|struggling|trying|looking)\b"
    r"|\bwe (?:use|tried|lost|have about|export)\b|\bour (?:current|existing|manager|boss)\b"
    r"|\bmy (?:boss|manager|team)\b",
    re.IGNORECASE,
)
# The same cues in Chinese (no \b: Chinese has no spaces between words).
_INTRO_ZH = re.compile(r"我是[\u4e00-\u9fffA-Za-z]{2,12}(?:公司|科技|软件|集团|团队|这边)?的[\u4e00-\u9fffA-Za-z]{1,6}"
                       r"|我(?:这边)?是[\u4e00-\u9fffA-Za-z]{2,12}(?:公司|科技|软件)|我们是做[\u4e00-\u9fff]{2,10}的")
_THANKS_TIME_ZH = re.compile(r"(?:感谢|谢谢)(?:您|你|你们|各位)?(?:今天)?(?:抽|抽出|腾出|百忙之中抽)(?:时间|空)|占用(?:您|你)(?:一点)?时间")
_PITCH_ZH = re.compile(r"我们的(?:产品|平台|系统|方案|客户|软件|服务)|我们(?:可以|能)(?:帮|提供|支持|做到)|我们(?:提供|支持)|"
                       r"(?:您|你们)(?:这边)?(?:现在|目前)(?:是|用|怎么|有)")
_VENDOR_ADDRESS_ZH = re.compile(r"你们的(?:产品|平台|方案|价格|报价)|你们(?:支不支持|支持不支持|能不能支持)|"
                                r"(?:价格|报价|费用)(?:大概)?是?多少|多少钱")
_SITUATION_ZH = re.compile(r"我们(?:现在|目前|公司|这边)(?:用|是|在|有|的)|我们用的是|我们(?:老板|领导|团队|财务|法务)")
_PATTERNS = {"intro": _INTRO, "thanks_time": _THANKS_TIME, "pitch": _PITCH,
             "vendor_address": _VENDOR_ADDRESS, "situation": _SITUATION}
_PATTERNS_ZH = {"intro": _INTRO_ZH, "thanks_time": _THANKS_TIME_ZH, "pitch": _PITCH_ZH,
                "vendor_address": _VENDOR_ADDRESS_ZH, "situation": _SITUATION_ZH}


@dataclass(frozen=True, slots=True)
class SpeakerEvidence:
    """One speaker's features (see the module doc), its score and its probability of being the rep."""

    speaker: str
    features: dict[str, float]
    score: float
    p_rep: float


@dataclass(frozen=True, slots=True)
class ContentRoles:
    """The scorer's verdict: `rep` (a speaker id) and `confidence`, or `rep` None with `reason`."""

    rep: str | None
    confidence: float
    evidence: list[SpeakerEvidence] = field(default_factory=list)
    reason: str | None = None


def speaker_features(
    transcript: Transcript, questions: Sequence[Question], next_steps: Sequence[NextStep]
) -> dict[str, dict[str, float]]:
    """speaker id -> feature name -> value, for every speaker with words."""
    text_by: dict[str, list[str]] = {}
    for turn in transcript.turns:
        text_by.setdefault(turn.speaker, []).append(turn.text)
    ids = [s.id for s in transcript.speakers if s.id in text_by]

    def share(items: Sequence[Question] | Sequence[NextStep], sid: str) -> float:
        return sum(1 for x in items if x.speaker == sid) / len(items) if items else 0.0

    open_qs = [q for q in questions if q.type == "open"]
    out: dict[str, dict[str, float]] = {}
    for sid in ids:
        text = join_words(text_by[sid])
        counts = {name: len(p.findall(text)) + len(_PATTERNS_ZH[name].findall(text)) for name, p in _PATTERNS.items()}
        out[sid] = {
            "intro": float(min(counts["intro"], 1)),
            "thanks_time": float(min(counts["thanks_time"], 1)),
            "questions": share(questions, sid),
            "open_questions": share(open_qs, sid),
            "pitch": min(counts["pitch"], 4) / 4,
            "next_steps": share(next_steps, sid),
            "vendor_address": min(counts["vendor_address"], 3) / 3,
            "situation": min(counts["situation"], 3) / 3,
        }
    return out


def score_speakers(
    features: dict[str, dict[str, float]], weights: dict[str, float] | None = None
) -> list[SpeakerEvidence]:
    """Score and rep probability per speaker (softmax over centred scores), most rep-like first."""
    w = weights or WEIGHTS
    if not features:
        return []
    ids = list(features)
    mean = {f: sum(features[s][f] for s in ids) / len(ids) for f in FEATURES}
    scores = {s: sum(w[f] * (features[s][f] - mean[f]) for f in FEATURES) for s in ids}
    top = max(scores.values())
    exp = {s: math.exp(v - top) for s, v in scores.items()}
    total = sum(exp.values())
    evidence = [SpeakerEvidence(s, features[s], round(scores[s], 4), exp[s] / total) for s in ids]
    return sorted(evidence, key=lambda e: -e.score)


def infer_roles_from_content(
    transcript: Transcript,
    questions: Sequence[Question],
    next_steps: Sequence[NextStep],
    threshold: float = CONTENT_THRESHOLD,
) -> ContentRoles:
    """Who is the rep by what each speaker says; `rep` None (with the reason) below `threshold`
    (`CONTENT_THRESHOLD_MANY` when three or more speakers compete)."""
    features = speaker_features(transcript, questions, next_steps)
    if len(features) < 2:
        only = next(iter(features), None)
        return ContentRoles(None, 0.0, reason=NO_REP_ONE_SPEAKER_REASON.format(speaker=only) if only else
                            NO_REP_NO_WORDS_REASON)
    if len(transcript.words) < MIN_WORDS:
        return ContentRoles(None, 0.0, reason=NO_REP_FEW_WORDS_REASON.format(words=len(transcript.words)))
    counts = {sid: sum(1 for w in transcript.words if w.speaker == sid) for sid in features}
    total = sum(counts.values())
    major = {sid: f for sid, f in features.items() if counts[sid] >= MIN_SPEAKER_SHARE * total}
    if len(major) < 2:
        top = max(counts, key=lambda sid: counts[sid])
        return ContentRoles(None, 0.0, reason=NO_REP_ONE_VOICE_REASON.format(percent=100 * counts[top] / total,
                                                                              speaker=top))
    evidence = score_speakers(major)
    best = evidence[0]
    confidence = round(best.p_rep, 3)
    bar = min(threshold, CONTENT_THRESHOLD_MANY) if len(major) > 2 else threshold
    if confidence < bar:
        return ContentRoles(None, confidence, evidence, reason=NO_REP_UNCLEAR_REASON.format(
            speaker=best.speaker, confidence=confidence, threshold=bar))
    return ContentRoles(best.speaker, confidence, evidence)


def needs_roles(transcript: Transcript) -> bool:
    """True when no speaker has a role and nobody set them by hand: the case the scorer is for."""
    return all(s.role == "unknown" and s.role_source != "manual" for s in transcript.speakers)


def apply_content_roles(transcript: Transcript, verdict: ContentRoles) -> Transcript:
    """A copy of `transcript` with the verdict's roles (source "content"); unchanged when no rep."""
    if verdict.rep is None:
        return transcript
    speakers = [
        replace(s, role="rep" if s.id == verdict.rep else "customer", role_confidence=verdict.confidence,
                role_source="content")
        for s in transcript.speakers
    ]
    return replace(transcript, speakers=speakers, words=list(transcript.words))


@dataclass(frozen=True, slots=True)
class RolesNote:
    """Why no speaker is the rep, and how to fix it; shown on every scorecard (CLI, API, web)."""

    why: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"why": self.why, "fix": self.fix}


def roles_note(transcript: Transcript, reason: str | None = None) -> RolesNote | None:
    """None when some speaker is the rep; otherwise why the rep-based metrics are empty (`reason`:
    the content scorer's) and the commands that fix it."""
    if not transcript.speakers or any(s.role == "rep" for s in transcript.speakers):
        return None
    ids = [s.id for s in transcript.speakers]
    head = {"audio-mono": NO_REP_MONO_HEAD, "audio-stereo": NO_REP_STEREO_HEAD}.get(transcript.source,
                                                                                   NO_REP_TRANSCRIPT_HEAD)
    why = NO_REP_WHY_BECAUSE.format(head=head, reason=reason) if reason else NO_REP_WHY.format(head=head)
    if len(ids) < 2 and transcript.source.startswith("audio"):
        relabel = (f"analyse the recording again with `--speakers 2`, or mark the speaker with "
                   f"`talktrack relabel CALL.json --speaker {ids[0]}=rep -o fixed.json`")
    elif len(ids) < 2:
        relabel = "name each cue's speaker in the transcript (`<v Alex Rivera>Hello` or `Alex Rivera: Hello`)"
    else:
        relabel = (f"set the roles with `talktrack relabel CALL.json --speaker {ids[0]}=rep --speaker {ids[1]}=customer "
                   f"-o fixed.json` (swap them if {ids[1]} is the rep), with \"Fix speakers\" on the call page, or "
                   f"PATCH /v1/calls/ID/speakers")
    fix = (f"To fix this call, {relabel}. So that later mono calls find the rep, enrol the rep's voice: "
           f"`talktrack enroll \"REP NAME\" rep-voice.wav` (or POST /v1/voice-profiles); for transcripts, name the rep "
           f"with `talktrack analyze CALL.vtt --rep \"REP NAME\"`.")
    return RolesNote(why, fix)


__all__ = [
    "CONTENT_THRESHOLD", "CONTENT_THRESHOLD_MANY", "RolesNote", "roles_note", "FEATURES", "WEIGHTS", "ContentRoles", "SpeakerEvidence", "apply_content_roles",
    "infer_roles_from_content", "needs_roles", "score_speakers", "speaker_features",
]
