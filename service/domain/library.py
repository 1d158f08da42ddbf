"""The calls library: the calls a principal may see, filtered, searched and paginated.

One query for the page (with its feature row for talk ratio and early open questions) and one
for the outcomes of that page's calls, so the page costs the same with 10 or 100,000 calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import Call, Outcome, Team, User
from models.base import aware
from models.coaching import CallFeatureRow
from service.core.access import Principal, call_condition, call_scope_of, person_condition
from service.domain.search import transcript_match

OutcomeFilter = Literal["won", "lost", "next_step_booked", "none"]


@dataclass(frozen=True)
class CallFilters:
    """What the library's filter bar (and `GET /v1/calls`) can ask for; None means any."""

    rep: str | None = None  # a rep user id or a rep name
    team_id: str | None = None
    status: str | None = None
    deal_id: str | None = None
    since: datetime | None = None  # started (or uploaded) at or after
    until: datetime | None = None  # ... before
    outcome: OutcomeFilter | None = None
    tracker: str | None = None  # a tracker that fired on the call
    text: str | None = None  # words the transcript must contain


@dataclass(frozen=True)
class LibraryRow:
    call: Call
    talk_ratio: float | None
    open_questions_first_90s: float | None
    trackers: list[str]
    outcome: str | None

    @property
    def status_note(self) -> str | None:
        """Why a call is `retrying` and when it runs again (the badge's title), else None."""
        return retry_note(self.call)


def retry_note(call: Call) -> str | None:
    """`audio storage is unavailable: ... Next try at 14:03:05 UTC.` for a retrying call, else None."""
    if call.status != "retrying":
        return None
    when = aware(call.retry_at)
    return " ".join(filter(None, [f"{call.error}." if call.error else "The analysis will run again.",
                                  f"Next try at {when:%H:%M:%S} UTC." if when else None]))


@dataclass(frozen=True)
class LibraryPage:
    rows: list[LibraryRow]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.rows)
        return end if end < self.total else None


def call_time() -> ColumnElement[datetime]:
    """When a call happened: its start, else its upload."""
    return func.coalesce(col(Call.started_at), col(Call.created_at))


def _has_outcome(kind: str | None) -> ColumnElement[bool]:
    """Calls with an outcome (of `kind`) recorded for themselves or for their deal. Two indexed IN
    lists instead of a correlated OR, which no index serves."""
    outcome_rows = select(Outcome.call_id).where(col(Outcome.call_id).is_not(None))
    deal_rows = select(Outcome.deal_id).where(col(Outcome.deal_id).is_not(None))
    if kind is not None:
        outcome_rows = outcome_rows.where(col(Outcome.outcome) == kind)
        deal_rows = deal_rows.where(col(Outcome.outcome) == kind)
    return or_(col(Call.id).in_(outcome_rows),
               and_(col(Call.deal_id).is_not(None), col(Call.deal_id).in_(deal_rows)))


def filter_conditions(session: Session, principal: Principal, f: CallFilters) -> list[ColumnElement[bool]]:
    """The access policy's scope plus every filter that is set."""
    conds: list[ColumnElement[bool]] = [call_condition(principal)]
    when = call_time()
    if f.rep:
        conds.append(or_(col(Call.rep_user_id) == f.rep, col(Call.rep_name) == f.rep))
    if f.team_id:
        conds.append(col(Call.team_id) == f.team_id)
    if f.status:
        conds.append(col(Call.status) == f.status)
    if f.deal_id:
        conds.append(col(Call.deal_id) == f.deal_id)
    if f.since:
        conds.append(when >= aware(f.since))
    if f.until:
        conds.append(when < aware(f.until))
    if f.outcome == "none":
        conds.append(~_has_outcome(None))
    elif f.outcome:
        conds.append(_has_outcome(f.outcome))
    if f.tracker:
        # Tracker names are stored as a JSON list; the quoted name matches one element exactly.
        needle = '%"' + f.tracker.replace("\\", "").replace('"', "").replace("%", "").replace("_", "\\_") + '"%'
        feats = aliased(CallFeatureRow)  # the page query joins the table itself: correlate on Call only
        conds.append(exists().where(col(feats.call_id) == col(Call.id),
                                    cast(feats.trackers, String).like(needle, escape="\\")).correlate(Call))
    if f.text:
        match = transcript_match(session, f.text)
        if match is not None:
            conds.append(match)
    return conds


def list_calls(session: Session, principal: Principal, f: CallFilters, limit: int = 50,
               offset: int = 0) -> LibraryPage:
    """One page of the calls `principal` may see that pass `f`, newest first."""
    conds = filter_conditions(session, principal, f)
    total = session.exec(select(func.count()).select_from(Call).where(*conds)).one()
    rows = session.exec(
        select(Call, CallFeatureRow.talk_ratio, CallFeatureRow.open_questions_first_90s, CallFeatureRow.trackers)
        .join(CallFeatureRow, col(CallFeatureRow.call_id) == col(Call.id), isouter=True)
        .where(*conds).order_by(call_time().desc(), col(Call.id)).offset(offset).limit(limit)
    ).all()
    calls = [r[0] for r in rows]
    outcomes = latest_outcomes(session, calls)
    return LibraryPage(
        rows=[LibraryRow(call=c, talk_ratio=tr, open_questions_first_90s=oq, trackers=list(trk or []),
                         outcome=outcomes.get(c.id)) for c, tr, oq, trk in rows],
        total=int(total), limit=limit, offset=offset)


def latest_outcomes(session: Session, calls: list[Call]) -> dict[str, str]:
    """The newest outcome of each call, its own or its deal's (a call's own outcome wins)."""
    if not calls:
        return {}
    ids = [c.id for c in calls]
    deals = {c.deal_id for c in calls if c.deal_id}
    org_ids = {c.org_id for c in calls}
    cond: ColumnElement[bool] = col(Outcome.call_id).in_(ids)
    if deals:
        cond = or_(cond, col(Outcome.deal_id).in_(deals))
    found = session.exec(select(Outcome.call_id, Outcome.deal_id, Outcome.outcome)
                         .where(col(Outcome.org_id).in_(org_ids), cond)
                         .order_by(col(Outcome.created_at))).all()
    by_call: dict[str, str] = {}
    by_deal: dict[str, str] = {}
    for call_id, deal_id, outcome in found:
        if call_id is not None:
            by_call[call_id] = outcome
        elif deal_id is not None:
            by_deal[deal_id] = outcome
    return {c.id: by_call.get(c.id) or by_deal.get(c.deal_id or "") or "" for c in calls
            if c.id in by_call or (c.deal_id or "") in by_deal}


def filter_choices(session: Session, principal: Principal) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(reps, teams) as (id, name) for the filter bar: only people whose calls the principal may
    see (`service.core.access.person_condition`), none for those who see only their own calls;
    teams for an admin."""
    reps: list[tuple[str, str]] = []
    teams: list[tuple[str, str]] = []
    if call_scope_of(principal) in ("org", "team"):
        q = select(User.id, User.name).where(person_condition(principal))
        reps = [(str(i), str(n)) for i, n in session.exec(q.order_by(col(User.name))).all()]
    if principal.role == "admin":
        teams = [(str(i), str(n)) for i, n in session.exec(
            select(Team.id, Team.name).where(col(Team.org_id) == principal.org_id).order_by(col(Team.name))).all()]
    return reps, teams
