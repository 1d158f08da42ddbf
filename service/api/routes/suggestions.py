"""`GET /v1/calls/{id}/suggestions`: talk-track suggestions for a call, cheap enough to poll.

The suggestions are computed once, when the analysis finishes (and again after a speakers
relabel), by `build_suggestions()` and stored next to the analysis; the GET reads that one row
and sends the stored JSON as is, without parsing it.

COACHING: fill in `build_suggestions()` with `coaching.suggestions`; nothing else here changes.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import TextClause, text

from models import Call
from models.public import SuggestionsPublic
from nlp.analysis import CallAnalysis
from service.api.deps import CurrentPrincipal, Principal
from service.api.responses import API_ERRORS

router = APIRouter(tags=["calls"], responses=API_ERRORS)


def build_suggestions(analysis: CallAnalysis, call: Call) -> list[dict[str, Any]]:
    """The ranked suggestions for one analysed call, as JSON-ready dicts (stored with the analysis).

    Ranked by the organisation's latest insights when `call` is attached to a session (else on the
    published bands); see `service.api.routes.insights.call_suggestions`.
    """
    from service.api.routes.insights import call_suggestions

    return call_suggestions(analysis, call)


_LOOKUP = ('SELECT "call".status, callresult.suggestions_json FROM "call" '
           'LEFT OUTER JOIN callresult ON callresult.call_id = "call".id '
           'WHERE "call".id = :call_id AND "call".org_id = :org_id')
_BY_SCOPE = {
    "org": text(_LOOKUP),
    "team": text(_LOOKUP + ' AND "call".team_id = :team_id'),
    "user": text(_LOOKUP + ' AND "call".rep_user_id = :user_id'),
    "none": text(_LOOKUP + " AND 1 = 0"),
}


def _scoped_lookup(p: Principal) -> tuple[TextClause, dict[str, str]]:
    """The same rule as `deps.call_scope`, as prebuilt SQL (tests check both agree)."""
    params = {"org_id": p.org_id}
    if p.role in ("admin", "integration"):
        return _BY_SCOPE["org"], params
    if p.role == "coach" and p.team_id is not None:
        return _BY_SCOPE["team"], {**params, "team_id": p.team_id}
    if p.role in ("coach", "rep") and p.user_id is not None:
        return _BY_SCOPE["user"], {**params, "user_id": p.user_id}
    return _BY_SCOPE["none"], params


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
