"""One call: finding it within the access policy, its stored analysis, relabelling its speakers,
deleting it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from models import Call, CallResult, User
from models.base import utcnow
from models.public import SpeakersPatch
from service.access import CallOwner, Principal, allowed, call_condition, may_see_call, roles_for
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.storage import AudioStore


def require(principal: Principal, action: str) -> None:
    """Forbidden unless the principal's role may perform `action` (`service.access.PERMISSIONS`)."""
    if not allowed(principal, action):
        raise Forbidden(f"a {principal.role} cannot do this (needs {' or '.join(roles_for(action))})")


class OutsideScope(Invalid):
    """A call was to be filed under a person the principal may not add calls for."""


def call_owner(session: Session, principal: Principal, rep_user_id: str | None) -> tuple[str | None, str | None]:
    """(rep user id, team id) a new call (upload or live) belongs to. Naming nobody files it under
    the person adding it (a rep or coach) or under no one (admin, integration); naming a rep needs
    the access policy to let the principal see that rep's calls."""
    if rep_user_id is None:
        if principal.role in ("rep", "coach"):
            return principal.user_id, principal.team_id
        return None, None
    user = session.get(User, rep_user_id)
    if user is None or user.org_id != principal.org_id:
        raise Invalid("rep_user_id is not a user of this organization")
    if not may_see_call(principal, CallOwner(user.org_id, user.team_id, user.id)):
        whose = "their own" if principal.role == "rep" else "their team's"
        raise OutsideScope(f"a {principal.role} can only add {whose} calls")
    return user.id, user.team_id


def visible_call(session: Session, principal: Principal, call_id: str) -> Call:
    """The call if the principal may see it; NotFound otherwise (also for other organizations)."""
    call = session.exec(select(Call).where(col(Call.id) == call_id, call_condition(principal))).first()
    if call is None:
        raise NotFound("call not found")
    return call


def stored_analysis(session: Session, call: Call) -> dict[str, Any]:
    """The call's analysis JSON; Conflict while it is not analysed."""
    row = session.get(CallResult, call.id) if call.status == "done" else None
    if row is None:
        raise Conflict(f"the call is not analysed (status: {call.status})")
    data: dict[str, Any] = json.loads(row.analysis_json)
    return data


def roles_note_of(analysis: dict[str, Any]) -> dict[str, str] | None:
    """`roles_note` of an analysis JSON (why no speaker is the rep, and how to fix it), or None."""
    note = analysis.get("roles_note")
    if isinstance(note, dict) and isinstance(note.get("why"), str) and isinstance(note.get("fix"), str):
        return {"why": note["why"], "fix": note["fix"]}
    return None


def relabel_speakers(session: Session, principal: Principal, call_id: str, patch: SpeakersPatch) -> Call:
    """Set speakers' roles and names and recompute the metrics and suggestions in place."""
    from service.api.relabel import relabel_analysis
    from service.domain.suggestions import build_suggestions

    call = visible_call(session, principal, call_id)
    require(principal, "call.relabel")
    data = stored_analysis(session, call)
    known = {s["id"] for s in data.get("speakers", [])}
    unknown = [s.id for s in patch.speakers if s.id not in known]
    if unknown:
        raise Invalid(f"unknown speaker ids {unknown}; the call has {sorted(known)}")
    analysis = relabel_analysis(data, patch)
    # A conditional UPDATE: the call may have been deleted while its metrics were recomputed.
    updated = session.exec(update(CallResult).where(col(CallResult.call_id) == call.id).values(
        analysis_json=json.dumps(analysis.to_dict(), separators=(",", ":")),
        suggestions_json=json.dumps(build_suggestions(analysis, call), separators=(",", ":")),
        updated_at=utcnow())).rowcount
    if updated == 1:
        from service.domain.insights import store_call_features

        store_call_features(session, call, analysis)
    session.commit()
    if updated != 1:
        raise NotFound("call not found")
    return call


def delete_call(session: Session, principal: Principal, call_id: str, store: AudioStore) -> None:
    """Delete a call the principal sees and may delete (`call.delete`): its rows, then its files."""
    call = visible_call(session, principal, call_id)
    require(principal, "call.delete")
    for attempt in range(3):
        try:
            delete_call_rows(session, call.id)
            break
        except IntegrityError:
            # A worker finishing this very call inserted a row meanwhile: delete again.
            session.rollback()
            if attempt == 2:
                raise
    store.delete_prefix(f"calls/{call.id}")


def delete_call_rows(session: Session, call_id: str) -> None:
    """Delete a call and every row that refers to it, in any table with a foreign key to
    `call.id` (results, jobs, outcomes, and tables other features add later)."""
    call_table = SQLModel.metadata.tables["call"]
    for table in reversed(SQLModel.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column.table is call_table and fk.column.name == "id":
                session.execute(delete(table).where(fk.parent == call_id))
    session.execute(delete(call_table).where(call_table.c.id == call_id))
    session.commit()
