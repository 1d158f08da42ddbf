"""The deal pages: `/deals/{deal_id}` (a deal's story, its warnings with the moments that raised
them, its calls) and `/deals` (deals for a pipeline review, filtered by warning). The same domain
functions and access policy as `GET /v1/deals` (`service.domain.deals`)."""

from __future__ import annotations

import math
from typing import Annotated, Any, cast, get_args

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from models.deal_public import DealCallPublic, WarningCode
from service.core import i18n
from service.core.i18n import N_, NC_
from service.domain import deal_warnings, deals
from service.web.i18n import request_locale
from service.web.pages import SignedIn, render
from transcription.display import clock, percent

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

# The labels are translated where the pages show them (`translated(...)` in deal.html, deals.html).
WARNING_LABELS: dict[str, str] = {
    "no_dated_next_step": N_("No dated next step"),
    "due_date_passed": N_("Due date passed"),
    "budget_below_price": N_("Budget below price"),
    "competitor_in_play": N_("Competitor in play"),
    "decision_maker_absent": N_("Decision maker not on a call"),
    "talk_share_falling": N_("Customer talking less"),
    "questions_falling": N_("Customer asking fewer questions"),
    "unanswered_questions": N_("Questions left unanswered"),
}
assert set(WARNING_LABELS) == set(get_args(WarningCode))
KIND_LABELS = {"price": N_("Price quoted"), "budget": N_("Budget")}
NEXT_STEP_LABELS = {"kept": N_("next call came in time"), "missed": N_("missed"), "pending": N_("not due yet"),
                    "undated": N_("no date")}
# Codes deal.html shows as words (pgettext with these contexts).
CODE_WORDS = (NC_("objection topic", "other"),  # the story's topic of an objection without one (the others: brief_view)
              NC_("objection", "open"), NC_("objection", "handled"),
              NC_("owner", "rep"), NC_("owner", "customer"), NC_("owner", "both"))


def moment_href(call_id: str, start: float | None) -> str:
    """The call page at a moment (`?t=` whole seconds, as `clock` shows it), or the call itself."""
    if start is None or not math.isfinite(start):
        return f"/calls/{call_id}"
    return f"/calls/{call_id}?t={int(max(0.0, start))}"


def due_day(locale: str, iso: str | None) -> str:
    """A next step's due date (ISO) in the reader's format: 2026-12-11 in English, 2026年12月11日 in
    Chinese; text that is not a date is shown as it is."""
    due = deal_warnings.due_day(iso or "")
    return due if isinstance(due, str) else due.in_locale(locale)


def call_label(call: DealCallPublic, locale: str = i18n.DEFAULT_LOCALE) -> str:
    """"2024-05-03 · Discovery" (the day in `locale`'s format)."""
    return f"{i18n.format_day(locale, call.at)} · {call.title or i18n.tr(locale, 'Untitled call')}"


@router.get("/deals")
def deals_page(request: Request, who: SignedIn, warning: Annotated[str, Query(max_length=40)] = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """Deals with a call the person may see, newest last call first; `?warning=` keeps those
    raising that warning."""
    code = cast(WarningCode, warning) if warning in WARNING_LABELS else None
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        result = deals.list_deals(session, who.principal, code, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(request, "deals.html", {
        "result": result, "warning": code or "", "labels": WARNING_LABELS, "deal_path": deals.deal_path,
        "page_no": page, "pages": max(1, math.ceil(result.total / PAGE_SIZE))}, who)


@router.get("/deals/{deal_id:path}")
def deal_page(request: Request, deal_id: str, who: SignedIn) -> Response:
    """A deal as the person may see it (a 404 page when they see none of its calls)."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        view = deals.deal_view(session, who.principal, deal_id)
    calls = {c.id: c for c in view.calls}
    locale = request_locale(request)
    ctx: dict[str, Any] = {
        "warning_text": lambda w: i18n.tr(locale, w.said()),  # the rule's message in the reader's language
        "view": view, "calls": calls, "labels": WARNING_LABELS, "kind_labels": KIND_LABELS,
        "step_labels": NEXT_STEP_LABELS, "clock": clock, "percent": percent, "href": moment_href,
        "call_label": lambda c: call_label(c, locale), "due_day": lambda iso: due_day(locale, iso), "analysed": sum(1 for c in view.calls if c.has_brief)}
    return render(request, "deal.html", ctx, who)
