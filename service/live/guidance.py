"""Live guidance, the service side: what a live call's coach starts from (the organization's live
rules, playbook and current insight report, and the holdout draw), the record of its cards, and
the shown-versus-held-out report.

Transport (WebSocket, audio, back-pressure) lives in `service/api/routes/live.py` and
`service/live/sessions.py`; this module only decides and records cards.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from coaching.insights import InsightReport
from coaching.live import LiveCard, LiveRules
from coaching.live_effect import CardOutcome, LiveCallSummary, LiveEffectOptions, live_guidance_report
from coaching.playbook import Playbook
from models import Call, CallFeatureRow, LiveCallRecord
from service.domain.insights import latest_snapshot, outcome_by_call
from service.domain.org_definitions import org_playbook

_BEHAVIOUR_COLUMNS = ("open_questions_first_90s", "talk_ratio", "longest_monologue_s")


@dataclass(frozen=True, slots=True)
class LiveSetup:
    """Everything a live call's coach starts from. `held_out`: this call was drawn into the
    holdout (its cards are computed and stored, never sent)."""

    rules: LiveRules
    playbook: Playbook | None
    insights: InsightReport | None
    insight_snapshot_id: str | None
    held_out: bool


def live_setup(db: Engine, org_id: str, team_id: str | None = None) -> LiveSetup:
    """Read the organization's live settings and the team's (else the organization's) insights,
    and draw the holdout for a new call."""
    with Session(db) as session:
        found = org_playbook(session, org_id)
        insights, snapshot_id = latest_snapshot(session, org_id, team_id)
    held_out = found.rules.holdout > 0 and secrets.SystemRandom().random() < found.rules.holdout
    return LiveSetup(found.rules, found.playbook, insights, snapshot_id, held_out)


def live_record(call_id: str, org_id: str, setup: LiveSetup, cards: list[LiveCard]) -> LiveCallRecord:
    """The stored record of a live call's cards (stored with the call: `create_call`'s `rows`)."""
    return LiveCallRecord(call_id=call_id, org_id=org_id, held_out=setup.held_out, holdout=setup.rules.holdout,
                          insight_snapshot_id=setup.insight_snapshot_id,
                          cards=[{**c.to_dict(), "shown": not setup.held_out} for c in cards])


def call_live(session: Session, call_id: str) -> dict[str, Any] | None:
    """`live` of `GET /v1/calls/{id}`: held_out, the cards with their follow-through, and the
    call's follow-through rate; None for a call that was not streamed live."""
    row = session.get(LiveCallRecord, call_id)
    if row is None:
        return None
    judged = [c for c in row.cards if c.get("followed") is not None]
    followed = sum(1 for c in judged if c["followed"])
    return {"held_out": row.held_out, "holdout": row.holdout, "insight_snapshot_id": row.insight_snapshot_id,
            "cards": row.cards, "follow_through": round(followed / len(judged), 4) if judged else None}


def live_guidance(session: Session, scope: ColumnElement[bool], org_id: str,
                  options: LiveEffectOptions | None = None) -> dict[str, Any]:
    """The shown-versus-held-out report over the live calls `scope` selects."""
    rows = session.connection().execute(
        sa_select(col(LiveCallRecord.call_id), col(LiveCallRecord.held_out), col(LiveCallRecord.cards),
                  col(Call.rep_name), col(Call.rep_user_id), col(Call.deal_id),
                  *[col(getattr(CallFeatureRow, m)) for m in _BEHAVIOUR_COLUMNS])
        .join(Call, col(Call.id) == col(LiveCallRecord.call_id))
        .join(CallFeatureRow, col(CallFeatureRow.call_id) == col(LiveCallRecord.call_id), isouter=True)
        .where(scope)
    ).fetchall()
    outcomes = outcome_by_call(session, org_id, {r[0]: r[5] for r in rows})
    calls = []
    for r in rows:
        cards = r[2] if isinstance(r[2], list) else json.loads(r[2] or "[]")
        calls.append(LiveCallSummary(
            call_id=r[0], held_out=bool(r[1]),
            cards=tuple(CardOutcome(c.get("id", ""), c.get("basis", ""), c.get("followed")) for c in cards),
            won=outcomes.get(r[0]), rep=r[3] or r[4],
            behaviour=dict(zip(_BEHAVIOUR_COLUMNS, r[6:], strict=True)),
        ))
    return live_guidance_report(calls, options)


__all__ = ["LiveSetup", "call_live", "live_guidance", "live_record", "live_setup"]
