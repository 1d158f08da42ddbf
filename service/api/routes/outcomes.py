"""`/v1/outcomes`: record what happened to a call or a CRM deal (`service.domain.outcomes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from models.public import OutcomeCreate, OutcomePublic
from service.api.deps import Principal, SessionDep, allowed_to
from service.api.responses import API_ERRORS
from service.domain import outcomes

router = APIRouter(prefix="/outcomes", tags=["outcomes"], responses=API_ERRORS)


@router.post("", status_code=201, response_model=OutcomePublic,
             summary="Record an outcome for a call or a deal (a deal's applies to all its calls)",
             responses={403: {"description": "this role may not record this outcome"},
                        404: {"description": "no such call, or no call of the deal, visible to this key"}})
def create_outcome(body: OutcomeCreate, session: SessionDep,
                   principal: Annotated[Principal, allowed_to("outcome.write")]) -> OutcomePublic:
    row, applies = outcomes.record_outcome(session, principal, body)
    return OutcomePublic(**row.model_dump(), applies_to_calls=applies)


@router.get("", response_model=list[OutcomePublic],
            summary="Outcomes of the calls this key may see, newest first",
            responses={403: {"description": "a rep key cannot list outcomes"}})
def list_outcomes(session: SessionDep, principal: Annotated[Principal, allowed_to("outcome.read")],
                  deal_id: Annotated[str | None, Query(max_length=200)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[OutcomePublic]:
    rows = outcomes.visible_outcomes(session, principal, deal_id=deal_id, limit=limit)
    return [OutcomePublic.model_validate(r, from_attributes=True) for r in rows]
