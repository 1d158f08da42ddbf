"""Outcomes: what happened to a call or a CRM deal. Who may record and read them is the access
policy's call scope: a coach records and reads outcomes only for calls of their team."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from models import Call, Outcome
from models.public import OutcomeCreate
from service.core.access import Principal, call_condition, require
from service.core.errors import Forbidden, Invalid, NotFound
from service.core.i18n import N_
from service.domain.calls import visible_call


def record_outcome(session: Session, principal: Principal, body: OutcomeCreate) -> tuple[Outcome, int]:
    """Store an outcome for one visible call, or for a deal. A deal's outcome applies to all of its
    calls, so the principal must see every one of them (a deal with no calls yet is fine: a CRM
    often knows the outcome first). Returns (row, number of calls it applies to now)."""
    if (body.call_id is None) == (body.deal_id is None):
        raise Invalid(N_("give exactly one of call_id or deal_id"))
    require(principal, "outcome.write")
    if body.call_id is not None:
        visible_call(session, principal, body.call_id)
        applies = 1
    else:
        if principal.role == "rep":
            raise Forbidden(N_("a rep can record outcomes of their own calls only (use call_id)"))
        deal_calls = select(func.count()).select_from(Call).where(col(Call.org_id) == principal.org_id,
                                                                   col(Call.deal_id) == body.deal_id)
        applies = session.exec(deal_calls.where(call_condition(principal))).one()
        if session.exec(deal_calls).one() > applies:
            # A deal outcome applies to every call of the deal: only someone who sees them all sets it.
            if applies == 0:
                raise NotFound(N_("no call of this deal is visible to you"))
            raise Forbidden(N_("this deal has calls outside your scope: ask an admin to record its outcome"))
    row = Outcome(org_id=principal.org_id, created_by_key_id=principal.key_id, **body.model_dump())
    session.add(row)
    session.commit()
    return row, int(applies)


def visible_outcomes(session: Session, principal: Principal, deal_id: str | None = None,
                     limit: int = 100) -> list[Outcome]:
    """Outcomes of calls (or deals with calls) the principal can see, newest first."""
    require(principal, "outcome.read")
    seen_call = exists().where(call_condition(principal), or_(
        col(Call.id) == col(Outcome.call_id),
        and_(col(Outcome.deal_id).is_not(None), col(Call.deal_id) == col(Outcome.deal_id))))
    q = select(Outcome).where(col(Outcome.org_id) == principal.org_id, seen_call)
    if deal_id:
        q = q.where(col(Outcome.deal_id) == deal_id)
    return list(session.exec(q.order_by(col(Outcome.created_at).desc()).limit(max(1, min(limit, 1000)))).all())


def newest_outcome(session: Session, call: Call) -> Outcome | None:
    """The newest outcome recorded for the call itself or for its deal."""
    conds = [col(Outcome.call_id) == call.id]
    if call.deal_id:
        conds.append(col(Outcome.deal_id) == call.deal_id)
    return session.exec(select(Outcome).where(col(Outcome.org_id) == call.org_id, or_(*conds))
                        .order_by(col(Outcome.created_at).desc())).first()
