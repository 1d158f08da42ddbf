"""`GET /v1/calls/{id}/brief`: a call's brief; `GET /v1/deals/{deal_id}`: a deal's calls, their
briefs merged into one story, and its warnings; `GET /v1/deals`: deals for a pipeline review,
filtered by warning. Access is the calls' (a deal shows only the calls the key may see). The work
is in `service.domain.briefs` and `service.domain.deals`; the rules in docs/deals.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from models.deal_public import CallBriefPublic, DealPage, DealView, WarningCode
from service.api.deps import CurrentPrincipal, SessionDep
from service.api.responses import API_ERRORS
from service.domain import deals
from service.domain.briefs import call_brief

router = APIRouter(responses=API_ERRORS)


@router.get("/calls/{call_id}/brief", response_model=CallBriefPublic, tags=["calls"],
            summary="A call's brief: chapters, items said (each with its moment), a follow-up draft",
            responses={404: {"description": "no such call visible to this key"},
                       409: {"description": "not analysed yet"}})
def get_brief(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> CallBriefPublic:
    """`brief` is null, with a `note`, for a call analysed before briefs existed."""
    found = call_brief(session, principal, call_id)
    return CallBriefPublic.model_validate({"call_id": found.call.id, "status": found.call.status,
                                           "deal_id": found.call.deal_id, "brief": found.brief, "note": found.note})


@router.get("/deals", response_model=DealPage, tags=["deals"],
            summary="Deals with a call the key may see, newest last call first, with their warnings")
def get_deals(
    session: SessionDep, principal: CurrentPrincipal,
    warning: Annotated[WarningCode | None, Query(description="only deals that raise this warning")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> DealPage:
    return deals.list_deals(session, principal, warning, limit=limit, offset=offset)


@router.get("/deals/{deal_id:path}", response_model=DealView, tags=["deals"],
            summary="A deal: its calls in time order, their briefs as one story, and its warnings",
            responses={404: {"description": "no call of this deal is visible to this key"}})
def get_deal(deal_id: str, session: SessionDep, principal: CurrentPrincipal) -> DealView:
    return deals.deal_view(session, principal, deal_id)
