"""What the call page draws, computed from a stored analysis: transcript turns with their words,
the who-spoke-when timeline (one lane per speaker, markers for questions and tracker hits), the
metrics panel against bands and the brief (`brief_view`). Presentation only: no access rules, no writes.

A view is cached per call whoever reads it, so its words are English and marked (`N_`): the page shows
them with `translated(...)`, and what is put together from them has a `..._in(locale)` method."""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from coaching.benchmarks import MetricBand, published_bands
from nlp.backchannels import is_backchannel_text
from service.core.i18n import DEFAULT_LOCALE, N_, Amount, Message, ntr, tr
from service.domain.calls import NO_SPEECH_MESSAGE, roles_note_of, speechless_reason
from service.web.analysis_warnings import warning_text
from service.web.brief_view import BriefView, build_brief_view
from service.web.library_text import band_source_text, roles_why_text
from service.web.wording import tracker_label, web_text
from transcription.display import clock
from transcription.scripts import word_offsets
from transcription.transcript_io import speakers_note_from_json
from transcription.types import CountEvidence, SpeakersNote

TIMELINE_WIDTH = 1000.0  # SVG viewBox units
QUESTION_TYPES = ("open", "yes_no", "choice", "declarative", "tag")
# A question type as a label (the timeline's legend and marks); the same words as static/js/live.js.
QUESTION_LABELS = {"open": N_("open question"), "yes_no": N_("yes/no question"), "choice": N_("choice question"),
                   "declarative": N_("declarative question"), "tag": N_("tag question")}

METRIC_LABELS: dict[str, tuple[str, str]] = {
    # name: (label, unit) — unit "%" shows a 0..1 ratio as a percentage, "s" seconds, "" a count.
    "talk_ratio": (N_("Rep talk ratio"), "%"),
    "longest_monologue_s": (N_("Longest rep monologue"), "s"),
    "longest_customer_story_s": (N_("Longest customer story"), "s"),
    "interactivity": (N_("Interactivity (switches/min)"), ""),
    "patience_s": (N_("Patience (pause before replying)"), "s"),
    "interruptions_rep": (N_("Rep interruptions"), ""),
    "interruptions_customer": (N_("Customer interruptions"), ""),
    "question_count_rep": (N_("Rep questions"), ""),
    "question_count_customer": (N_("Customer questions"), ""),
    "open_question_count_rep": (N_("Rep open questions"), ""),
    "open_questions_first_90s": (N_("Open questions in first 90 s"), ""),
    "first_question_s": (N_("First question at"), "s"),
    "words_per_minute_rep": (N_("Rep words per minute"), ""),
    "filler_rate_rep": (N_("Rep fillers per 100 words"), ""),
}


def fmt_metric(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{100 * value:.0f}%"
    if unit == "s":
        return clock(value) if value >= 60 else f"{value:.1f} s"
    return f"{value:.1f}" if abs(value - round(value)) > 1e-9 else f"{value:.0f}"


@dataclass
class TurnView:
    speaker: str
    name: str
    role: str
    start: float
    end: float
    text: str = ""
    words_html: Markup = Markup("")  # the turn's words as spans with their start times (or empty)
    _parts: list[str] = field(default_factory=list, repr=False)


@dataclass
class Bar:
    x: float
    w: float
    start: float
    end: float


@dataclass
class Lane:
    speaker: str
    name: str
    role: str
    bars: list[Bar]
    role_detail: str = ""  # where the role came from and how sure: "content, confidence 0.93"
    role_source: str = ""  # a ROLE_SOURCE_LABELS label
    role_confidence: float | None = None

    def role_detail_in(self, locale: str) -> str:
        """`role_detail` in `locale`."""
        if locale == DEFAULT_LOCALE:
            return self.role_detail
        value = f"{self.role_confidence:.2f}" if self.role_confidence is not None else ""
        if self.role_source and value:
            return tr(locale, "%(source)s, confidence %(value)s", source=tr(locale, self.role_source), value=value)
        return tr(locale, self.role_source) if self.role_source else (
            tr(locale, "confidence %(value)s", value=value) if value else "")


@dataclass
class Marker:
    x: float
    start: float
    kind: str  # "question" or "tracker"
    css: str  # q-open, q-yes_no, ..., tracker
    label: str
    what: str = ""  # the question's type ("yes_no") or the tracker's label
    text: str = ""

    def label_in(self, locale: str) -> str:
        """`label` in `locale` ("open question: What ...?", "tracker Pricing: ...")."""
        if locale == DEFAULT_LOCALE:
            return self.label
        if self.kind == "question":
            kind = tr(locale, QUESTION_LABELS.get(self.what, N_("question")))
            return tr(locale, "%(what)s: %(text)s", what=kind, text=self.text)
        return tr(locale, "tracker %(name)s: %(text)s", name=self.what, text=self.text)


@dataclass
class CommentMark:
    """A comment thread on the timeline's Comments lane: `x` is its moment in viewBox units, `left`
    where its rect starts (centred on `x`); a click seeks to `start` and shows the comment `#c-<id>`."""

    x: float
    left: float
    start: float
    comment_id: str
    label: str  # the rect's <title>: "1:05 Cora Coach: Listen to how ... (2 replies)"


COMMENT_MARK_W = 4.0  # viewBox units
EXCERPT_CHARS = 80


@dataclass
class MetricRow:
    name: str
    label: str
    value: str
    band: str
    source: str  # where the band comes from (`coaching.benchmarks`), English
    status: str  # below | within | above | no_band | no_data

    def source_in(self, locale: str) -> str:
        """`source` in `locale` (`library_text.band_source_text`)."""
        return band_source_text(self.source, locale)


@dataclass
class CallView:
    duration_s: float
    has_timing: bool
    speakers: list[dict[str, Any]]
    turns: list[TurnView]
    lanes: list[Lane]
    markers: list[Marker]
    metrics: list[MetricRow]
    questions: list[dict[str, Any]]
    trackers: list[dict[str, Any]]
    next_steps: list[dict[str, Any]]
    warnings: list[str]
    raw_metrics: dict[str, Any] = field(default_factory=dict)
    language: str = "en"  # the analysis' language: Chinese counts characters, and says so
    roles_note: dict[str, str] | None = None  # why no speaker is the rep, and how to fix it
    speakers_note: SpeakersNoteView | None = None  # why the speaker count is unsure, and how to fix it
    no_speech: str | None = None  # the one message shown instead of warnings when the call has no speech
    brief: BriefView = field(default_factory=lambda: BriefView(exists=False))  # the brief at the top of the page

    def warnings_in(self, locale: str) -> list[str]:
        """The analysis's warnings as the page shows them in `locale` (`analysis_warnings.warning_text`)."""
        return [warning_text(str(w), locale) for w in self.warnings]

    def roles_why_in(self, locale: str) -> str:
        """Why no speaker is the rep (`roles_note`'s `why`) as the page shows it in `locale`
        (`library_text.roles_why_text`); "" without a note."""
        return "" if self.roles_note is None else roles_why_text(self.roles_note["why"], locale)

    def with_bands(self, bands: dict[str, MetricBand]) -> CallView:
        """The same view with its metrics panel against `bands` (cheap: the transcript is shared)."""
        return replace(self, metrics=build_metrics(self.raw_metrics, bands, self.language))


class ViewCache:
    """The last few call views, keyed by (call id, when its analysis last changed): opening a
    90-minute call again costs only the template, not rebuilding 15,000 words."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple[str, Any], CallView] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, Any]) -> CallView | None:
        with self._lock:
            view = self._items.get(key)
            if view is not None:
                self._items.move_to_end(key)
            return view

    def put(self, key: tuple[str, Any], view: CallView) -> None:
        with self._lock:
            self._items[key] = view
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


ROLE_SOURCE_LABELS = {"channel": N_("stereo channel"), "profile": N_("voice profile"),
                      "uploader": N_("uploader's profile"), "name": N_("speaker name"), "content": N_("what is said"),
                      "manual": N_("set by hand")}


def role_detail(sp: dict[str, Any]) -> str:
    """"what is said, confidence 0.93" for an inferred role, "stereo channel" for a given one, "" when unknown."""
    source = ROLE_SOURCE_LABELS.get(str(sp.get("role_source")), "")
    confidence = sp.get("role_confidence")
    parts = [source, f"confidence {float(confidence):.2f}" if isinstance(confidence, int | float) else ""]
    return ", ".join(p for p in parts if p)


def speaker_name(sp: dict[str, Any]) -> str:
    name = sp.get("name")
    role = sp.get("role") or "unknown"
    if name:
        return str(name)
    return {"rep": N_("Rep"), "customer": N_("Customer")}.get(role, str(sp.get("id", "?")))


def build_turns(analysis: dict[str, Any], names: dict[str, tuple[str, str]]) -> list[TurnView]:
    """Turns with their words: each word goes to the turn of its speaker that contains its start
    (words and turns are both in time order, so one pass per speaker). The words are rendered to
    HTML here, in one join per turn: a 90-minute call has 15,000 of them, and a template loop
    escaping each one costs ten times as much."""
    turns = [TurnView(str(t.get("speaker")), *names.get(str(t.get("speaker")), (str(t.get("speaker")), "unknown")),
                      float(t.get("start") or 0.0), float(t.get("end") or 0.0), text=str(t.get("text") or ""))
             for t in analysis.get("turns") or []]
    by_speaker: dict[str, list[TurnView]] = {}
    for t in turns:
        by_speaker.setdefault(t.speaker, []).append(t)
    cursor: dict[str, int] = dict.fromkeys(by_speaker, 0)
    last_word: dict[int, str] = {}  # per turn, its last word: no space between two Chinese characters
    for w in analysis.get("words") or []:
        spk = str(w.get("speaker"))
        own = by_speaker.get(spk)
        if not own:
            continue
        start = float(w.get("start") or 0.0)
        i = cursor[spk]
        while i + 1 < len(own) and start >= own[i + 1].start - 1e-6:
            i += 1
        cursor[spk] = i
        word = str(w.get("word", ""))
        before = last_word.get(id(own[i]))
        if before is not None and word_offsets([before, word])[1][1] == len(before):
            own[i]._parts[-1] = own[i]._parts[-1].rstrip(" ")  # two Chinese characters: no space between
        last_word[id(own[i])] = word
        own[i]._parts.append(f'<span class="w" data-t="{start:.2f}">{html.escape(word)}</span> ')
    for t in turns:
        t.words_html = Markup("".join(t._parts))
        t._parts = []
    return turns


BACKCHANNEL_WINDOW = 5  # turns one backchannel may span, its own pieces and the other speaker's between them


def _turn_html(t: TurnView) -> str:
    return str(t.words_html) if t.words_html else html.escape(t.text) + " "


def merge_backchannels(turns: list[TurnView]) -> list[TurnView]:
    """Display rows: a backchannel ("mm-hmm", "I see", even cut in pieces around the other
    speaker's words) that one speaker says while the other keeps the floor is shown inline, dimmed,
    inside the running turn, which then goes on as one row. The analysis is not changed: the
    timeline lanes and the metrics still see every turn."""
    rows: list[TurnView] = []
    goes_on = False  # the last row took in a backchannel: its speaker's next turn continues it
    i = 0
    while i < len(turns):
        t = turns[i]
        if goes_on and t.speaker == rows[-1].speaker:
            cur = rows[-1]
            cur.words_html = Markup(_turn_html(cur) + _turn_html(t))
            cur.text = f"{cur.text} {t.text}".strip()
            cur.end = max(cur.end, t.end)
            goes_on = False
            i += 1
            continue
        goes_on = False
        merged = _backchannel_at(turns, i, rows[-1]) if rows else None
        if merged is None:
            rows.append(replace(t))
            i += 1
            continue
        goes_on = True
        cur, last = rows[-1], merged
        pieces = [u for u in turns[i:last + 1] if u.speaker == t.speaker]
        own = [u for u in turns[i:last + 1] if u.speaker == cur.speaker]
        said = html.escape(" ".join(u.text for u in pieces))
        inner = "".join(_turn_html(u) for u in pieces).strip() if all(u.words_html for u in pieces) else said
        chip = (f'<span class="backchannel" title="{html.escape(t.name)}: {said}">'
                f'<span class="bc-who">{html.escape(t.name)}:</span> {inner}</span> ')
        cur.words_html = Markup(_turn_html(cur) + chip + "".join(_turn_html(u) for u in own))
        cur.text = " ".join([cur.text, *(u.text for u in own)]).strip()
        cur.end = max([cur.end, *(u.end for u in own)])
        i = last + 1
    return rows


def _backchannel_at(turns: list[TurnView], i: int, holder: TurnView) -> int | None:
    """The index of the last turn of a backchannel that starts at `turns[i]` while `holder`'s
    speaker keeps the floor (they speak again right after it), or None."""
    other = turns[i].speaker
    if other == holder.speaker or holder.text.rstrip().endswith("?"):  # an answer to a question is no backchannel
        return None
    said: list[str] = []
    for k in range(i, min(len(turns), i + BACKCHANNEL_WINDOW)):
        u = turns[k]
        if u.speaker == other:
            said.append(u.text)
            if (is_backchannel_text(" ".join(said)) and k + 1 < len(turns)
                    and turns[k + 1].speaker == holder.speaker):
                return k
        elif u.speaker != holder.speaker:
            return None
    return None


def build_lanes(turns: list[TurnView], speakers: list[dict[str, Any]], duration: float,
                speaker_turns: list[dict[str, Any]] | None = None) -> list[Lane]:
    """One lane per speaker with a bar per turn: the analysis' `speaker_turns` when it has them (so
    overlapped speech shows in both lanes at once), else the transcript turns."""
    scale = TIMELINE_WIDTH / duration if duration > 0 else 0.0
    spans = ([(str(t.get("speaker")), float(t.get("start") or 0.0), float(t.get("end") or 0.0)) for t in speaker_turns]
             if speaker_turns else [(t.speaker, t.start, t.end) for t in turns])
    lanes = []
    for sp in speakers:
        sid = str(sp.get("id"))
        bars = [Bar(round(start * scale, 2), round(max(0.8, (end - start) * scale), 2), start, end)
                for spk, start, end in spans if spk == sid]
        confidence = sp.get("role_confidence")
        lanes.append(Lane(sid, speaker_name(sp), str(sp.get("role") or "unknown"), bars, role_detail(sp),
                          ROLE_SOURCE_LABELS.get(str(sp.get("role_source")), ""),
                          float(confidence) if isinstance(confidence, int | float) else None))
    return lanes


def build_markers(analysis: dict[str, Any], duration: float) -> list[Marker]:
    scale = TIMELINE_WIDTH / duration if duration > 0 else 0.0
    markers = [Marker(round(float(q["start"]) * scale, 2), float(q["start"]), "question",
                      "q-" + str(q.get("type") or "open"), f"{q.get('type', 'question')} question: {q.get('text', '')}",
                      str(q.get("type") or ""), str(q.get("text", "")))
               for q in analysis.get("questions") or [] if q.get("start") is not None]
    markers += [Marker(round(float(t["start"]) * scale, 2), float(t["start"]), "tracker", "tracker",
                       f"tracker {tracker_label(t.get('tracker'))}: {t.get('text', '')}",
                       tracker_label(t.get("tracker")), str(t.get("text", "")))
                for t in analysis.get("trackers") or [] if t.get("start") is not None]
    return markers


def comment_marks(threads: list[dict[str, Any]], duration: float, locale: str = "en") -> list[CommentMark]:
    """One mark per comment thread (`service.domain.comments.list_threads`) at its first comment's
    moment, its label in `locale`. Not part of the cached `CallView`: comments change without the
    analysis changing."""
    scale = TIMELINE_WIDTH / duration if duration > 0 else 0.0
    marks = []
    for t in threads:
        start = float(t["start"])
        if t["deleted"]:
            said = tr(locale, "comment deleted")
        else:
            who = t["author"]["name"] if t.get("author") else tr(locale, "an API key")
            text = " ".join(str(t["text"]).split())
            said = tr(locale, "%(what)s: %(text)s", what=who,
                      text=f"{text[:EXCERPT_CHARS]}{'…' if len(text) > EXCERPT_CHARS else ''}")
        n = len(t.get("replies") or [])
        label = f"{clock(start)} {said}" + (" " + ntr(locale, "(%(num)d reply)", "(%(num)d replies)", n) if n else "")
        x = round(start * scale, 2)
        marks.append(CommentMark(x, round(x - COMMENT_MARK_W / 2, 2), start, str(t["id"]), label))
    return marks


# On a Chinese call the word counts are characters.
CHINESE_LABELS = {"words_per_minute_rep": N_("Rep characters per minute"),
                  "filler_rate_rep": N_("Rep fillers per 100 characters")}


def build_metrics(metrics: dict[str, Any], bands: dict[str, MetricBand], language: str = "en") -> list[MetricRow]:
    rows = []
    published = published_bands(language)
    for name, (label, unit) in METRIC_LABELS.items():
        label = CHINESE_LABELS.get(name, label) if language == "zh" else label
        value = metrics.get(name)
        band = bands.get(name) or published.get(name)
        if band is None:
            rows.append(MetricRow(name, label, fmt_metric(value, unit), "", "", "no_band" if value is not None else "no_data"))
            continue
        lo = fmt_metric(band.low, unit) if band.low is not None else None
        hi = fmt_metric(band.high, unit) if band.high is not None else None
        text = f"{lo}-{hi}" if lo and hi else (f"≥ {lo}" if lo else f"≤ {hi}")
        rows.append(MetricRow(name, label, fmt_metric(value, unit), text, band.source, band.status(value)))
    return rows


def build_call_view(analysis: dict[str, Any], bands: dict[str, MetricBand]) -> CallView:
    speakers = list(analysis.get("speakers") or [])
    names = {str(sp.get("id")): (speaker_name(sp), str(sp.get("role") or "unknown")) for sp in speakers}
    duration = float(analysis.get("duration_s") or 0.0)
    turns = build_turns(analysis, names)
    return CallView(
        duration_s=duration, has_timing=bool(analysis.get("has_timing", True)), speakers=speakers,
        turns=merge_backchannels(turns),
        lanes=build_lanes(turns, speakers, duration, analysis.get("speaker_turns")), markers=build_markers(analysis, duration),
        metrics=build_metrics(analysis.get("metrics") or {}, bands, str(analysis.get("language") or "en")),
        language=str(analysis.get("language") or "en"),
        questions=list(analysis.get("questions") or []), trackers=list(analysis.get("trackers") or []),
        next_steps=list(analysis.get("next_steps") or []), warnings=list(analysis.get("warnings") or []),
        raw_metrics=dict(analysis.get("metrics") or {}),
        roles_note=roles_note_of(analysis), speakers_note=_speakers_note(analysis),
        no_speech=NO_SPEECH_MESSAGE if speechless_reason(analysis) is not None else None,
        brief=build_brief_view(analysis.get("brief"), speakers, duration))


def _speakers_note(analysis: dict[str, Any]) -> SpeakersNoteView | None:
    """The analysis's `speakers_note`, or None."""
    note = speakers_note_from_json(analysis.get("speakers_note"))
    return None if note is None else SpeakersNoteView(note.why, note.fix, speakers_why(note))


@dataclass(frozen=True)
class SpeakersNoteView:
    """Why a mono call's speaker count is unsure (`why`, English, as the analysis wrote it) and the
    analysis's English `fix`, which the page replaces with its own action ("Fix speakers").
    `message` is `why` in marked messages, made from the note's case and evidence; None for a note
    written before they were kept, which then stays English on every page."""

    why: str
    fix: str
    message: Message | None = None

    def why_in(self, locale: str) -> str:
        """`why` in `locale`, without command-line advice; English exactly as the analysis wrote it."""
        if locale == DEFAULT_LOCALE or self.message is None:
            return web_text(self.why)
        return tr(locale, self.message)


def speakers_why(note: SpeakersNote) -> Message | None:
    """The note's `why` as marked messages, its numbers shown in the reader's format: the same
    English as `transcription.diarization.count.speakers_note_of` writes (a test keeps them in
    step), or None when the note has no case."""
    if note.case is None:
        return None
    evidence = _evidence_message(note.evidence)
    if note.case == "split":
        return N_("Two speakers were found from the phrases' voices and pitch and how the conversation goes "
                  "(%(evidence)s); the evidence is close to the bar, so the split may be wrong.", evidence=evidence)
    if note.case == "merged":
        return N_("The voices first gave a second speaker with very little speech, but the phrases sound like one "
                  "voice (%(evidence)s), so the call has one speaker; this is close to the bar.", evidence=evidence)
    return N_("One voice was found, but the recording may hold two people whose voices sound alike "
              "(%(evidence)s); too little sets a second voice apart to split it.", evidence=evidence)


def _evidence_message(evidence: CountEvidence | None) -> Message:
    """The numbers inside a speakers note's `why`: the gaps with 2 decimals, the share answered in
    whole percent (as the analysis rounds it)."""
    if evidence is None:
        return N_("too few words to weigh a second voice")
    return N_("voice gap %(voice_gap)s and pitch gap %(pitch_gap)s between the two groups of phrases (one voice "
              "gives about 1 and under 2.5, and rarely both high); %(turns)s changes of speaker at pauses or "
              "sentence ends; %(questions)s questions, %(answered)s%% answered by the other voice",
              voice_gap=Amount(evidence.voice_gap, 2), pitch_gap=Amount(evidence.pitch_gap, 2),
              turns=Amount(evidence.turns), questions=Amount(evidence.questions),
              answered=Amount(round(100 * evidence.answered)))
