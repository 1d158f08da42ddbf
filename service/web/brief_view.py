"""What the call page shows of a call's brief (the `brief` object of its analysis JSON, written by
`nlp.brief`): chapters with their times, then pains, objections and next steps (owner, due date),
then the other kinds in one compact list, and the follow-up e-mail draft; above them the optional
generated summary (`brief.summary`, docs/brief.md "Generative wording"): each sentence with the
moments it cites. Every line carries the moment it was said, so the page makes it a button that
plays it.

Presentation only. The JSON is read field by field and tolerantly (an older or a newer brief must
not break the page); a call analysed before briefs existed has none, and the page says so.

The view is cached per call, whoever reads it, so it is built in English; the page's words are
marked (`N_`) and shown with `translated(...)`, and what is put together from them has a
`..._in(locale)` method (the English attribute stays as it was: the same text an English page shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_skeleton

from service.core.i18n import DEFAULT_LOCALE, LOCALES, N_, NC_, ntr, tr, translations
from transcription.display import clock

# What an objection is about (`nlp.brief`: BriefItem.detail), shown beside it as a word.
OBJECTION_TOPICS = (NC_("objection topic", "price"), NC_("objection topic", "timing"),
                    NC_("objection topic", "authority"), NC_("objection topic", "competition"),
                    NC_("objection topic", "material"))

NO_BRIEF = N_("No brief yet: this call was analysed before Talktrack made briefs.")
UNREADABLE = N_("No brief: this call's brief could not be read.")
NOTHING_FOUND = N_("No pains, objections or next steps were found in this call.")

# The kinds shown in full, in this order, with their headings; every other kind goes to the compact list.
MAIN_KINDS = (("pain", N_("Pains")), ("objection", N_("Objections")), ("next_step", N_("Next steps")))
KIND_LABELS = {"pain": N_("Pain"), "need": N_("Need"), "objection": N_("Objection"), "budget": N_("Budget"),
               "price": N_("Price quoted"), "competitor": N_("Competitor"), "decision": N_("Decision"),
               "next_step": N_("Next step"), "question": N_("Open question")}
OTHER_ORDER = ("need", "budget", "price", "competitor", "decision", "question")
DATE_SOURCES = {"recorded_at": N_("when it was recorded"), "argument": N_("as given at analysis"),
                "file": N_("the file's time")}
BOTH = N_("Both")
ROLE_OWNERS = {"rep": N_("Rep"), "customer": N_("Customer")}
TIMELINE_WIDTH = 1000.0


@dataclass(frozen=True)
class BriefLine:
    kind: str
    label: str  # the kind, for people: "Pain", "Open question"
    text: str
    start: float
    at: str  # the clock of `start`: "1:23"
    detail: str = ""  # the objection's topic, the competitor's name, an amount
    owner: str = ""  # next steps: who does it ("Alex Rivera", "Customer", "Both")
    due: str = ""  # next steps: "Fri 11 Dec 2026", or "" when no date was said
    due_iso: str = ""
    date_phrase: str = ""  # the words that set the date ("by Friday")
    topic: str = ""  # the detail without the amount
    amount: str = ""  # budget and price: "60"

    def detail_in(self, locale: str) -> str:
        """`detail` in `locale` ("price · amount 60")."""
        parts: list[str] = [str(translations(locale).pgettext("objection topic", self.topic))] if self.topic else []
        if self.amount:
            parts.append(tr(locale, "amount %(amount)s", amount=self.amount))
        return " · ".join(parts)

    def due_in(self, locale: str) -> str:
        """`due` in `locale` (Chinese: 2026年12月11日周五)."""
        return day_in(locale, self.due_iso) if self.due else ""


@dataclass(frozen=True)
class ChapterLine:
    title: str
    start: float
    end: float
    span: str  # "0:00–4:12"
    x: float  # on the timeline (viewBox units)
    w: float


@dataclass(frozen=True)
class CiteLine:
    start: float
    at: str  # "1:56"
    about: str  # what is cited, for the button's label: "Price quoted: It's sixty dollars..."
    kind_label: str = ""  # the cited item's kind ("Price quoted"), and what was said
    said: str = ""

    def about_in(self, locale: str) -> str:
        if self.kind_label and self.said:
            return tr(locale, "%(kind)s: %(said)s", kind=tr(locale, self.kind_label), said=self.said)
        return tr(locale, self.kind_label) if self.kind_label else self.said


@dataclass(frozen=True)
class SummaryLine:
    text: str
    start: float
    cites: list[CiteLine]


@dataclass(frozen=True)
class Summary:
    """The generated summary's sentences that passed the grounding check, and the note under them."""

    lines: list[SummaryLine]
    note: str  # "Written by llama3.1:8b from the items below; 1 sentence dropped by the grounding check."
    model: str = ""
    dropped: int = 0
    unreadable: int = 0

    def note_in(self, locale: str) -> str:
        """`note` in `locale`."""
        if locale == DEFAULT_LOCALE:
            return self.note
        who = (tr(locale, "Written by %(model)s", model=self.model) if self.model
               else tr(locale, "Written by a language model"))
        if not self.unreadable:
            return ntr(locale, "%(who)s from the items below; %(num)d sentence dropped by the grounding check "
                       "(every sentence must be said at the moments it cites).",
                       "%(who)s from the items below; %(num)d sentences dropped by the grounding check "
                       "(every sentence must be said at the moments it cites).", self.dropped, who=who)
        unread = ntr(locale, "%(num)d answer could not be read", "%(num)d answers could not be read", self.unreadable)
        return ntr(locale, "%(who)s from the items below; %(num)d sentence dropped by the grounding check "
                   "(every sentence must be said at the moments it cites); %(unread)s.",
                   "%(who)s from the items below; %(num)d sentences dropped by the grounding check "
                   "(every sentence must be said at the moments it cites); %(unread)s.", self.dropped,
                   who=who, unread=unread)


@dataclass(frozen=True)
class BriefSection:
    kind: str
    heading: str
    lines: list[BriefLine]


@dataclass(frozen=True)
class BriefView:
    exists: bool
    message: str = ""  # why there is nothing (or nothing more) to show; "" when the brief has items
    chapters: list[ChapterLine] = field(default_factory=list)
    sections: list[BriefSection] = field(default_factory=list)
    others: list[BriefLine] = field(default_factory=list)
    email_subject: str = ""
    email_body: str = ""
    call_date: str = ""  # "Tue 1 Dec 2026 (when it was recorded)": what due dates were counted from
    summary: Summary | None = None  # None: the brief has no generated summary (the setting is off)
    call_date_iso: str = ""
    call_date_source: str = ""  # a DATE_SOURCES label

    def call_date_in(self, locale: str) -> str:
        """`call_date` in `locale`."""
        if locale == DEFAULT_LOCALE or not self.call_date:
            return self.call_date
        shown = day_in(locale, self.call_date_iso)
        if not self.call_date_source:
            return shown
        return tr(locale, "%(day)s (%(source)s)", day=shown, source=tr(locale, self.call_date_source))

    @property
    def n_items(self) -> int:
        return sum(len(s.lines) for s in self.sections) + len(self.others)


def day(iso: str | None) -> str:
    """"2026-12-11" -> "Fri 11 Dec 2026"; "" for nothing or a value that is not a date."""
    if not iso:
        return ""
    try:
        d = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return ""
    return f"{d:%a} {d.day} {d:%b %Y}"


def day_in(locale: str, iso: str | None) -> str:
    """`day` in `locale`: "Fri 11 Dec 2026" in English, "2026年12月11日周五" in Chinese."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES or not day(iso):
        return day(iso)
    return format_skeleton("yMMMEd", date.fromisoformat(str(iso)[:10]), locale=Locale.parse(locale))


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def _amount(value: Any) -> str:
    f = _num(value)
    if f is None:
        return ""
    return f"{f:,.0f}" if abs(f - round(f)) < 1e-9 else f"{f:,.2f}"


def _owner(owner: Any, names: dict[str, str]) -> str:
    """A next step's owner: a name, else "Rep" / "Customer" / "Both" (marked: the page translates them)."""
    if owner == "both":
        return BOTH
    if owner in ("rep", "customer"):
        return names.get(str(owner)) or ROLE_OWNERS[str(owner)]
    return ""


def role_names(speakers: list[dict[str, Any]]) -> dict[str, str]:
    """"rep" / "customer" -> the first such speaker's name, for next steps' owners."""
    out: dict[str, str] = {}
    for sp in speakers:
        role, name = sp.get("role"), sp.get("name")
        if role in ("rep", "customer") and name and role not in out:
            out[str(role)] = str(name)
    return out


def _line(item: dict[str, Any], names: dict[str, str]) -> BriefLine | None:
    kind, text, start = item.get("kind"), item.get("text"), _num(item.get("start"))
    if not isinstance(kind, str) or not isinstance(text, str) or not text.strip() or start is None:
        return None
    detail = item.get("detail")
    details = [str(detail)] if isinstance(detail, str) and detail.strip() else []
    topic = details[0] if details else ""
    amount = _amount(item.get("amount")) if kind in ("budget", "price") else ""
    if amount:
        details.append(f"amount {amount}")
    due_iso = item.get("due") if isinstance(item.get("due"), str) else ""
    phrase = item.get("date_phrase") if isinstance(item.get("date_phrase"), str) else ""
    return BriefLine(kind=kind, label=KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()), text=text.strip(),
                     start=max(0.0, start), at=clock(start), detail=" · ".join(details),
                     owner=_owner(item.get("owner"), names) if kind == "next_step" else "",
                     due=day(due_iso) if kind == "next_step" else "", due_iso=due_iso or "",
                     date_phrase=phrase or "", topic=topic, amount=amount)


def _chapters(raw: Any, duration: float) -> list[ChapterLine]:
    scale = TIMELINE_WIDTH / duration if duration > 0 else 0.0
    out = []
    for c in raw if isinstance(raw, list) else []:
        if not isinstance(c, dict):
            continue
        start, end, title = _num(c.get("start")), _num(c.get("end")), c.get("title")
        if start is None or end is None or not isinstance(title, str) or not title.strip():
            continue
        out.append(ChapterLine(title.strip(), start, end, f"{clock(start)}–{clock(end)}", round(start * scale, 2),
                               round(max(0.8, (end - start) * scale), 2)))
    return sorted(out, key=lambda c: c.start)


def _count(value: Any) -> int:
    f = _num(value)
    return max(0, int(f)) if f is not None else 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(brief: dict[str, Any]) -> Summary | None:
    """The generated summary, or None when the brief has none (its key absent or not a list)."""
    raw = brief.get("summary")
    if not isinstance(raw, list):
        return None
    items = [i if isinstance(i, dict) else {} for i in brief.get("items") or []]
    lines = []
    for s in raw:
        text = s.get("text") if isinstance(s, dict) else None
        if not isinstance(text, str) or not text.strip():
            continue
        cites = []
        for c in s.get("cites") or []:
            start = _num(c.get("start")) if isinstance(c, dict) else None
            if start is None:
                continue
            k = _num(c.get("item"))
            item = items[int(k)] if k is not None and 0 <= int(k) < len(items) else {}
            kind, said = item.get("kind"), item.get("text")
            label = KIND_LABELS.get(str(kind), "") if isinstance(kind, str) else ""
            said = said.strip() if isinstance(said, str) else ""
            about = ": ".join(part for part in (label, said) if part)
            cites.append(CiteLine(max(0.0, start), clock(start), about, label, said))
        cites.sort(key=lambda c: c.start)
        first = cites[0].start if cites else _num(s.get("start")) or 0.0
        lines.append(SummaryLine(text.strip(), max(0.0, first), cites))
    model = brief.get("summary_model")
    dropped, unreadable = _count(brief.get("summary_dropped")), _count(brief.get("summary_unreadable"))
    who = f"Written by {model.strip()}" if isinstance(model, str) and model.strip() else "Written by a language model"
    note = (f"{who} from the items below; {_plural(dropped, 'sentence')} dropped by the grounding check "
            "(every sentence must be said at the moments it cites)")
    if unreadable:
        note += f"; {_plural(unreadable, 'answer')} could not be read"
    return Summary(lines, note + ".", model.strip() if isinstance(model, str) else "", dropped, unreadable)


def build_brief_view(brief: Any, speakers: list[dict[str, Any]], duration_s: float) -> BriefView:
    """The page's brief from the analysis' `brief` object (None: the call has none yet)."""
    if brief is None:
        return BriefView(exists=False, message=NO_BRIEF)
    if not isinstance(brief, dict):
        return BriefView(exists=False, message=UNREADABLE)
    names = role_names(speakers)
    lines = [line for item in brief.get("items") or [] if isinstance(item, dict)
             if (line := _line(item, names)) is not None]
    lines.sort(key=lambda li: li.start)
    sections = [BriefSection(kind, heading, [li for li in lines if li.kind == kind]) for kind, heading in MAIN_KINDS]
    main = {k for k, _ in MAIN_KINDS}
    rank = {k: i for i, k in enumerate(OTHER_ORDER)}
    others = sorted((li for li in lines if li.kind not in main), key=lambda li: (rank.get(li.kind, 99), li.start))
    raw_email = brief.get("email")
    email: dict[str, Any] = raw_email if isinstance(raw_email, dict) else {}
    reason = brief.get("empty_reason") if isinstance(brief.get("empty_reason"), str) else ""
    call_date = day(brief.get("call_date"))
    source = DATE_SOURCES.get(str(brief.get("call_date_source")), "")
    view = BriefView(
        exists=True, chapters=_chapters(brief.get("chapters"), duration_s), sections=sections, others=others,
        email_subject=str(email.get("subject") or ""), email_body=str(email.get("body") or ""),
        call_date=f"{call_date} ({source})" if call_date and source else call_date, summary=_summary(brief),
        call_date_iso=str(brief.get("call_date") or "")[:10] if call_date else "", call_date_source=source)
    if not lines:
        return replace(view, message=reason or NOTHING_FOUND)
    return view
