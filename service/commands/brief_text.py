"""The call brief as readable text (`talktrack analyze --format brief`): the call's date and where
it came from, the chapters with their times, the items grouped by kind with time, owner and due
date, then the follow-up e-mail draft."""

from __future__ import annotations

import datetime as dt

from nlp.analysis import CallAnalysis
from nlp.brief.types import ITEM_KINDS, BriefItem
from transcription.display import clock

HEADINGS = {
    "pain": "Pains", "need": "Needs", "objection": "Objections", "budget": "Budget", "price": "Prices quoted",
    "competitor": "Competitors", "decision": "Decision and process", "next_step": "Next steps",
    "question": "Customer questions left unanswered",
}  # fmt: skip
DATE_SOURCES = {
    "recorded_at": "the recording's date", "argument": "given with --date", "file": "the file's modification date",
}  # fmt: skip
OWNERS = {"rep": "Rep", "customer": "Customer", "both": "Both"}


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.strftime('%a')} {iso}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _line(item: BriefItem) -> str:
    parts = [f"  {clock(item.start):>7}  "]
    if item.kind == "next_step":
        owner = OWNERS.get(item.owner or "", "Owner not known")
        parts.append(f"{owner}: {item.text}")
        if item.due:
            parts.append(f" (due {_day(item.due)})")
        elif item.date_phrase:
            parts.append(f' (said "{item.date_phrase}", no date resolved)')
    else:
        parts.append(f'"{item.text}"')
        extra = [item.detail] if item.detail else []
        if item.amount is not None:
            extra.append(f"amount {_amount(item.amount)}")
        if extra:
            parts.append(f" [{', '.join(extra)}]")
    return "".join(parts)


def render_brief(analysis: CallAnalysis, *, title: str) -> str:
    """The brief of `analysis` as plain text (empty calls say why)."""
    lines = [f"Call brief: {title}"]
    brief = analysis.brief
    if brief is None:
        return "\n".join([*lines, "", "This analysis has no brief (it was made before briefs existed).", ""])
    if brief.call_date:
        source = DATE_SOURCES.get(brief.call_date_source or "", "")
        lines.append(f"Call date: {_day(brief.call_date)}" + (f" ({source})" if source else ""))
    else:
        lines.append("Call date: not known, so no due dates were resolved")
    if brief.empty_reason:
        return "\n".join([*lines, "", brief.empty_reason, ""])
    if brief.chapters:
        lines += ["", "Chapters"]
        lines += [f"  {clock(c.start):>7}-{clock(c.end):<7}  {c.title}" for c in brief.chapters]
    for kind in ITEM_KINDS:
        items = brief.of_kind(kind)
        if items:
            lines += ["", HEADINGS[kind]]
            lines += [_line(item) for item in items]
    if not brief.items:
        lines += ["", "Nothing to report: no pains, needs, objections or next steps were found."]
    if brief.email is not None:
        lines += ["", "Follow-up e-mail draft (edit before sending)", f"Subject: {brief.email.subject}", "",
                  brief.email.body.rstrip()]
    return "\n".join(lines) + "\n"


__all__ = ["render_brief"]
