"""`GET /v1/calls/{id}/suggestions`: talk-track suggestions for a call, cheap enough to poll.

The suggestions are computed once, when the analysis finishes (and again after a speakers
relabel), by `build_suggestions()` and stored next to the analysis; the GET reads that one row
and sends the stored JSON as is, without parsing it.

COACHING: fill in `build_suggestions()` with `coaching.suggestions`; nothing else here changes.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from sqlmodel import col, select

from models import Call, CallResult
from models.public import SuggestionsPublic
from nlp.analysis import CallAnalysis
from service.api.deps import CurrentPrincipal, SessionDep, call_scope

router = APIRouter(tags=["calls"])


def build_suggestions(analysis: CallAnalysis, call: Call) -> list[dict[str, Any]]:
    """The ranked suggestions for one analysed call, as JSON-ready dicts (stored with the analysis).

    Placeholder until the coaching engine lands: no suggestions.
    """
    return []


@router.get("/calls/{call_id}/suggestions", response_model=SuggestionsPublic,
            summary="Talk-track suggestions for a call (empty until it is analysed)",
            responses={404: {"description": "no such call visible to this key"}})
def get_suggestions(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> Response:
    row = session.exec(
        select(Call.status, CallResult.suggestions_json)
        .join(CallResult, col(CallResult.call_id) == col(Call.id), isouter=True)
        .where(col(Call.id) == call_id, call_scope(principal))
    ).first()
    if row is None:
        raise HTTPException(status_code=404, detail="call not found")
    call_status, stored = row
    body = f'{{"call_id":{json.dumps(call_id)},"status":"{call_status}","suggestions":{stored or "[]"}}}'
    return Response(body, media_type="application/json")
