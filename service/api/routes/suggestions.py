"""`GET /v1/calls/{id}/suggestions`: talk-track suggestions for a call, cheap enough to poll.

The suggestions are computed once, when the analysis finishes (and again after a speakers
relabel), by `service.domain.suggestions.build_suggestions()` and stored next to the analysis; the GET reads that one row
and sends the stored JSON as is, without parsing it.

"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import TextClause

from models.public import SuggestionsPublic
from service import access
from service.api.deps import CurrentPrincipal, Principal
from service.api.responses import API_ERRORS

router = APIRouter(tags=["calls"], responses=API_ERRORS)


# Prebuilt per scope by the access policy (`service.access.prebuilt`), so the hot path builds no SQL.
_BY_SCOPE = access.prebuilt('SELECT "call".status, callresult.suggestions_json FROM "call" '
                            'LEFT OUTER JOIN callresult ON callresult.call_id = "call".id '
                            'WHERE "call".id = :call_id')


def _scoped_lookup(p: Principal) -> tuple[TextClause, dict[str, str]]:
    _condition, params = access.call_sql(p)
    return _BY_SCOPE[access.call_scope_of(p)], params


@router.get("/calls/{call_id}/suggestions", response_model=SuggestionsPublic,
            summary="Talk-track suggestions for a call (empty until it is analysed)",
            responses={404: {"description": "no such call visible to this key"}})
async def get_suggestions(call_id: str, request: Request, principal: CurrentPrincipal) -> Response:
    # One indexed lookup with prebuilt SQL, run inline: a CRM sidebar polls this, and building an
    # ORM query or hopping to a thread would cost more than the lookup itself.
    stmt, params = _scoped_lookup(principal)
    with request.app.state.engine.connect() as conn:
        row = conn.execute(stmt, {"call_id": call_id, **params}).first()
    if row is None:
        raise HTTPException(status_code=404, detail="call not found")
    call_status, stored = row
    body = f'{{"call_id":{json.dumps(call_id)},"status":"{call_status}","suggestions":{stored or "[]"}}}'
    return Response(body, media_type="application/json")
