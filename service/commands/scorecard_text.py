"""The plain-text scorecard that `talktrack analyze --format text` prints."""

from __future__ import annotations

import textwrap

from nlp.analysis import CallAnalysis
from nlp.metrics import word_units
from nlp.types import CallMetrics
from transcription.display import clock, number, percent


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def metric_rows(m: CallMetrics, unsure: bool = False, language: str = "en") -> list[tuple[str, str]]:
    """(label, formatted value) for each metric, in scorecard order. `unsure` (the call's speaker
    count is unsure, `speakers_note`): the rep items say so, "unsure" where they would be blank.
    On a Chinese call (`language` "zh") the word counts are characters, and say so."""
    rows = _rows(m, unit="characters" if language == "zh" else "words")
    if not unsure:
        return rows
    return [(label, ("unsure" if value == "-" else f"{value} ?") if "rep" in label.lower() else value)
            for label, value in rows]


def _rows(m: CallMetrics, unit: str = "words") -> list[tuple[str, str]]:
    return [
        ("Talk ratio (rep share of speech)", percent(m.talk_ratio)),
        ("Longest rep monologue", clock(m.longest_monologue_s)),
        ("Longest customer story", clock(m.longest_customer_story_s)),
        ("Interactivity (switches/min)", number(m.interactivity)),
        ("Patience (s before answering)", number(m.patience_s, " s", 2)),
        ("Interruptions by rep / by customer", f"{_count(m.interruptions_rep)} / {_count(m.interruptions_customer)}"),
        ("Questions asked by rep", str(m.question_count_rep)),
        ("  of which open", str(m.open_question_count_rep)),
        ("  open in the first 90 s", str(m.open_questions_first_90s)),
        ("Questions asked by customer", str(m.question_count_customer)),
        ("Rep's first question at", clock(m.first_question_s)),
        (f"Rep {unit} per minute", number(m.words_per_minute_rep, digits=0)),
        (f"Rep fillers per 100 {unit}", number(m.filler_rate_rep)),
    ]


def role_label(role: str, source: str | None, confidence: float | None) -> str:
    """`rep (content, confidence 0.93)`, `customer (channel)`, `unknown`."""
    detail = [x for x in (source, None if confidence is None else f"confidence {confidence:.2f}") if x]
    return f"{role} ({', '.join(detail)})" if detail else role


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=96, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)


def render_scorecard(analysis: CallAnalysis, title: str) -> str:
    t = analysis.transcript
    talk = analysis.talk_time_s()
    kind = {"audio-stereo": "stereo recording", "audio-mono": "mono recording"}.get(
        t.source, f"{t.source} transcript"
    )
    lines = [
        f"Talktrack scorecard: {title}",
        f"{clock(t.duration_s)} {kind}, " + (f"{sum(word_units(w.word) for w in t.words)} characters, Chinese"
                                             if t.language == "zh" else f"{len(t.words)} words"),
        "",
    ]
    lines.append("Speakers")
    for s in t.speakers:
        name = f"  {s.name}" if s.name else ""
        lines.append(
            f"  {s.id:<4}{role_label(s.role, s.role_source, s.role_confidence):<32}"
            f"talks {clock(talk.get(s.id, 0.0)):>6}{name}"
        )
    if analysis.roles_note is not None:
        lines += ["", "Why the rep metrics are empty", *_wrap(analysis.roles_note.why),
                  "How to fix it", *_wrap(analysis.roles_note.fix)]
    note = t.speakers_note
    if note is not None:
        lines += ["", "Speaker count unsure", *_wrap(note.why), "How to fix it", *_wrap(note.fix)]
    lines += ["", "Metrics"]
    lines += [f"  {label:<36}{value:>8}" for label, value in metric_rows(analysis.metrics, unsure=note is not None,
                                                                           language=t.language)]
    if not t.has_timing:
        lines.append("  (transcript without timing: time-based metrics do not apply)")
    roles = {s.id: s.role for s in t.speakers}
    if analysis.questions:
        lines += ["", "Questions"]
        for q in analysis.questions:
            lines.append(
                f"  {clock(q.start):>6}  {roles.get(q.speaker, '?'):<8} {q.type:<11} {q.text}"
            )
    if analysis.trackers:
        lines += ["", "Trackers"]
        for h in analysis.trackers:
            lines.append(
                f'  {clock(h.start):>6}  {roles.get(h.speaker, "?"):<8} {h.tracker:<20} "{h.text}"'
            )
    if analysis.next_steps:
        lines += ["", "Next steps"]
        for n in analysis.next_steps:
            when = f" [{n.date_phrase}]" if n.date_phrase else ""
            lines.append(f'  {clock(n.start):>6}  {roles.get(n.speaker, "?"):<8} "{n.text}"{when}')
    if t.warnings:
        lines += ["", "Warnings"] + [f"  {w}" for w in t.warnings]
    return "\n".join(lines) + "\n"
