"""Deals: the calls of an organization that share a `deal_id`, as the viewer may see them.

A deal has no table of its own. Its calls are found with the access policy's condition
(`service.core.access.call_condition`, as the calls library does), so a deal shows only the calls
the viewer may see, and a deal with none of them is a 404 like a call outside the scope. The view
reads each call's brief and three numbers from `callresult` (never the analysis JSON): one query,
then `service.domain.deal_story` and `service.domain.deal_warnings` (rules in docs/deals.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from models import Call, CallResult
from models.base import aware
from models.deal_public import (
    DealCallPublic,
    DealPage,
    DealSummary,
    DealView,
    WarningCode,
)
from service.core.access import Principal, call_condition
from service.core.errors import NotFound
from service.core.i18n import N_
from service.domain.briefs import parse_brief
from service.domain.deal_story import DealCall, build_story
from service.domain.deal_warnings import deal_warnings
from service.domain.library import call_time

_COLUMNS = tuple(col(c) for c in (
    Call.id, Call.deal_id, Call.title, Call.rep_name, Call.status, Call.started_at, Call.created_at, Call.duration_s,
    CallResult.brief_json, CallResult.customer_talk_share, CallResult.customer_questions, CallResult.speaker_names))


def deal_path(deal_id: str) -> str:
    """The deal page's path (`/deals/<id>`, the id escaped: CRM ids may hold any character)."""
    return "/deals/" + quote(deal_id, safe="")


def today_utc() -> date:
    return datetime.now(UTC).date()


def _deal_call(row: Sequence[Any]) -> DealCall:
    (call_id, _deal, title, rep_name, status, started_at, created_at, duration_s, brief_json, share, questions,
     names) = row
    return DealCall(id=call_id, title=title, rep_name=rep_name, status=status,
                    at=_at(started_at, created_at), duration_s=duration_s,
                    brief=parse_brief(brief_json, call_id) if status == "done" else None,
                    customer_talk_share=share, customer_questions=questions,
                    speaker_names=tuple(n for n in names or [] if isinstance(n, str)))


def _rows(session: Session, conds: list[ColumnElement[bool]]) -> list[tuple[str, DealCall]]:
    """(deal id, call) of the visible calls matching `conds`, in time order: one query that joins
    the result row's small columns only."""
    rows = session.execute(select(*_COLUMNS)
                           .join(CallResult, col(CallResult.call_id) == col(Call.id), isouter=True)
                           .where(*conds).order_by(call_time(), col(Call.id))).all()
    return [(row[1], _deal_call(row)) for row in rows]


def view_of(deal_id: str, calls: list[DealCall], today: date) -> DealView:
    """The deal's view from its calls (in time order)."""
    story = build_story(calls, today)
    return DealView(
        deal_id=deal_id, today=today, story=story, warnings=deal_warnings(calls, story, today),
        calls=[DealCallPublic(id=c.id, title=c.title, rep_name=c.rep_name, status=c.status,
                              at=c.at, duration_s=c.duration_s, has_brief=c.brief is not None,
                              customer_talk_share=c.customer_talk_share, customer_questions=c.customer_questions)
               for c in calls])


def deal_view(session: Session, principal: Principal, deal_id: str, today: date | None = None) -> DealView:
    """The deal as the principal sees it; NotFound when none of its calls is visible to them
    (another organization's deal, or one of calls outside their scope)."""
    found = _rows(session, [call_condition(principal), col(Call.deal_id) == deal_id])
    if not found:
        raise NotFound(N_("deal not found"))
    return view_of(deal_id, [c for _, c in found], today or today_utc())


class _CodesCache:
    """A deal's warning codes by the fingerprint of its visible calls (each call's id, status, time
    and when its result was last written) and today's date, so that a pipeline review reads the
    briefs of only the deals that changed since this process last judged them. Bounded; cleared
    when full."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: dict[tuple[Any, ...], list[WarningCode]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> list[WarningCode] | None:
        return self._items.get(key)

    def put(self, key: tuple[Any, ...], codes: list[WarningCode]) -> None:
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = codes


_CODES = _CodesCache()
_STAMPS = tuple(col(c) for c in (Call.deal_id, Call.id, Call.status, Call.started_at, Call.created_at,
                                 CallResult.updated_at))


def list_deals(session: Session, principal: Principal, warning: WarningCode | None = None, limit: int = 50,
               offset: int = 0, today: date | None = None) -> DealPage:
    """The deals the principal sees a call of, newest last call first, with their warnings' codes;
    only those raising `warning` when it is given. One query for the visible calls' stamps; the
    briefs are read (one more query) only for deals whose calls changed since this process judged
    them (`_CodesCache`)."""
    today = today or today_utc()
    stamps: dict[str, list[tuple[Any, ...]]] = {}
    for deal_id, *rest in session.execute(
            select(*_STAMPS).join(CallResult, col(CallResult.call_id) == col(Call.id), isouter=True)
            .where(call_condition(principal), col(Call.deal_id).is_not(None))
            .order_by(call_time(), col(Call.id))).all():
        stamps.setdefault(deal_id, []).append(tuple(rest))
    keys = {d: (d, today, tuple(rows)) for d, rows in stamps.items()}
    codes = {d: found for d, key in keys.items() if (found := _CODES.get(key)) is not None}
    stale = [d for d in stamps if d not in codes]
    for start in range(0, len(stale), 500):
        chunk = stale[start:start + 500]
        by_deal: dict[str, list[DealCall]] = {}
        for deal_id, call in _rows(session, [call_condition(principal), col(Call.deal_id).in_(chunk)]):
            by_deal.setdefault(deal_id, []).append(call)
        for deal_id, calls in by_deal.items():
            codes[deal_id] = [w.code for w in view_of(deal_id, calls, today).warnings]
            _CODES.put(keys[deal_id], codes[deal_id])
    summaries = []
    for deal_id, rows in stamps.items():
        found_codes = codes.get(deal_id, [])
        if warning is None or warning in found_codes:
            first, last = rows[0], rows[-1]
            summaries.append(DealSummary(deal_id=deal_id, calls=len(rows), first_call_at=_at(first[2], first[3]),
                                         last_call_at=_at(last[2], last[3]), warnings=found_codes))
    summaries.sort(key=lambda s: (s.last_call_at, s.deal_id), reverse=True)
    page = summaries[offset:offset + limit]
    end = offset + len(page)
    return DealPage(items=page, total=len(summaries), limit=limit, offset=offset,
                    next_offset=end if end < len(summaries) else None)


def _at(started_at: datetime | None, created_at: datetime) -> datetime:
    return aware(started_at or created_at) or created_at
