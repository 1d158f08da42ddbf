"""`GET /v1/calls/{id}/suggestions`: talk-track suggestions for a call, cheap enough to poll.

The suggestions are computed once, when the analysis finishes (and again after a speakers
relabel), by `service.domain.insights.call_suggestions()` and stored next to the analysis
(`service.domain.analyses`); the GET reads that one row and sends the stored JSON as is, without
parsing it.

"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request, Response

from models.public import SuggestionsPublic
from service.api.deps import CurrentPrincipal
from service.api.responses import API_ERRORS
from service.domain.analyses import stored_suggestions

router = APIRouter(tags=["calls"], responses=API_ERRORS)


@router.get("/calls/{call_id}/suggestions", response_model=SuggestionsPublic,
            summary="Talk-track suggestions for a call (empty until it is analysed)",
            responses={404: {"description": "no such call visible to this key"}})
async def get_suggestions(call_id: str, request: Request, principal: CurrentPrincipal) -> Response:
    # One indexed lookup with prebuilt SQL, run inline: a CRM sidebar polls this, and building an
    # ORM query or hopping to a thread would cost more than the lookup itself.
    row = stored_suggestions(request.app.state.engine, principal, call_id)
    if row is None:
        raise HTTPException(status_code=404, detail="call not found")
    call_status, stored = row
    body = f'{{"call_id":{json.dumps(call_id)},"status":"{call_status}","suggestions":{stored or "[]"}}}'
    return Response(body, media_type="application/json")
