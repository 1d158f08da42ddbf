"""`/v1/outcomes`: record what happened to a call or a CRM deal."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import func
from sqlmodel import col, select

from models import Call, Outcome
from models.public import OutcomeCreate, OutcomePublic
from service.api.deps import CurrentPrincipal, SessionDep, call_scope, require_role, visible_call
from service.api.responses import API_ERRORS

router = APIRouter(prefix="/outcomes", tags=["outcomes"], responses=API_ERRORS)


@router.post("", status_code=201, response_model=OutcomePublic,
             summary="Record an outcome for a call or a deal (a deal's applies to all its calls)")
def create_outcome(body: OutcomeCreate, session: SessionDep, principal: CurrentPrincipal) -> OutcomePublic:
    if (body.call_id is None) == (body.deal_id is None):
        raise HTTPException(422, detail="give exactly one of call_id or deal_id")
    require_role(principal, "admin", "coach", "rep", "integration")
    if body.call_id is not None:
        visible_call(session, principal, body.call_id)
        applies = 1
    else:
        if principal.role == "rep":
            raise HTTPException(403, detail="a rep key can record outcomes of its own calls only (use call_id)")
        applies = session.exec(select(func.count()).select_from(Call)
                               .where(col(Call.deal_id) == body.deal_id, call_scope(principal))).one()
    row = Outcome(org_id=principal.org_id, created_by_key_id=principal.key_id, **body.model_dump())
    session.add(row)
    session.commit()
    return OutcomePublic(**row.model_dump(), applies_to_calls=applies)


@router.get("", response_model=list[OutcomePublic], summary="Outcomes of the organization, newest first")
def list_outcomes(session: SessionDep, principal: CurrentPrincipal, deal_id: str | None = None,
                  limit: int = 100) -> list[OutcomePublic]:
    require_role(principal, "admin", "coach", "integration")
    q = select(Outcome).where(col(Outcome.org_id) == principal.org_id)
    if deal_id:
        q = q.where(col(Outcome.deal_id) == deal_id)
    rows = session.exec(q.order_by(col(Outcome.created_at).desc()).limit(max(1, min(limit, 1000)))).all()
    return [OutcomePublic.model_validate(r, from_attributes=True) for r in rows]
