"""Scorecards: a coach scores a call with the organization's rubric (automatic items pre-filled
from the call's metrics), comments pin to moments of the call, and the rep reads them.

Each save is a new `ScorecardRecord`; the newest one of a call is its current scorecard, so an
edit keeps the history."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from coaching.features import METRIC_NAMES, CallFeatures
from coaching.scorecards import (
    Rubric,
    RubricError,
    Scorecard,
    add_comment,
    auto_score,
    depends_on_speakers,
    override,
    rubric_from_dict,
)
from models import Call
from models.base import aware, utcnow
from models.coaching import CallFeatureRow, RubricDefinition, ScorecardRecord
from service.core.access import Principal, call_condition, require
from service.core.errors import Conflict, Invalid
from service.core.i18n import N_
from service.domain.calls import roles_note_of, speechless_reason, stored_analysis, visible_call
from service.domain.org_definitions import org_rubric


@dataclass(frozen=True)
class ItemInput:
    item_id: str
    score: float
    comment: str | None = None


@dataclass(frozen=True)
class CommentInput:
    text: str
    item_id: str | None = None
    call_time_s: float | None = None


class NoSpeech(Conflict):
    """The call has no speech (`speechless_reason`): nothing to score."""


def call_features(session: Session, call: Call) -> CallFeatures:
    """The call's coaching features (its feature row; written now if it is missing)."""
    from service.domain.insights import backfill_features

    row = session.get(CallFeatureRow, call.id)
    if row is None and call.status == "done":
        backfill_features(session, call.org_id)
        row = session.get(CallFeatureRow, call.id)
    if row is None and call.status == "done" and speechless_reason(stored_analysis(session, call)) is not None:
        raise NoSpeech(N_("the call has no speech to score"))
    if row is None:
        raise Conflict(N_("the call is not analysed (status: %(status)s)", status=call.status))
    return CallFeatures(call.id, row.rep, None, row.duration_s, {m: getattr(row, m) for m in METRIC_NAMES},
                        frozenset(row.trackers), dict(row.rep_question_types), row.has_timing)


def draft_scorecard(session: Session, principal: Principal, call: Call) -> Scorecard | None:
    """The rubric auto-scored from the call's metrics: what the coach's form starts from; None for
    a call without speech (nothing to pre-fill or score)."""
    rubric = org_rubric(session, principal.org_id)
    call_at = aware(call.started_at) or aware(call.created_at) or utcnow()
    try:
        features = call_features(session, call)
    except NoSpeech:
        return None
    return auto_score(rubric, features, call_at=call_at)


def save_scorecard(session: Session, principal: Principal, call_id: str, items: list[ItemInput],
                   comments: list[CommentInput], rubric_id: str | None = None,
                   keep_comments: bool = False) -> ScorecardRecord:
    """Score a call: the automatic items, then the coach's scores and comments. With
    `keep_comments`, the comments of the call's current scorecard are carried over (an edit).
    Returns the stored record."""
    call = visible_call(session, principal, call_id)
    require(principal, "scorecard.write")
    rubric = org_rubric(session, principal.org_id, rubric_id)
    coach = principal.user_id or principal.key_id
    call_at = aware(call.started_at) or aware(call.created_at) or utcnow()
    try:
        card = auto_score(rubric, call_features(session, call), call_at=call_at)
        if keep_comments:
            current = current_scorecard(session, principal, call.id)
            if current is not None:
                card = replace(card, comments=Scorecard.from_dict(current).comments)
        for o in items:
            card = override(card, o.item_id, o.score, coach, o.comment)
        for c in comments:
            if c.call_time_s is not None and call.duration_s and c.call_time_s > call.duration_s + 1:
                raise Invalid(N_("the moment %(at).1f s is after the end of the call", at=c.call_time_s))
            card = add_comment(card, coach, c.text, item_id=c.item_id, call_time_s=c.call_time_s)
    except RubricError as exc:
        raise Invalid(str(exc)) from exc
    record = ScorecardRecord(org_id=principal.org_id, call_id=call.id, rep=card.rep, rep_user_id=call.rep_user_id,
                             rubric_id=rubric.id, total=card.total, call_at=call_at,
                             card_json=json.dumps(card.to_dict(), separators=(",", ":")),
                             created_by_key_id=principal.key_id)
    session.add(record)
    session.commit()
    return record


def current_scorecard(session: Session, principal: Principal, call_id: str) -> dict[str, Any] | None:
    """The newest scorecard of a call the principal may see (reps see their own), or None; with the
    call's `roles_note` (null when a rep is known)."""
    call = visible_call(session, principal, call_id)
    row = session.exec(select(ScorecardRecord).where(col(ScorecardRecord.call_id) == call_id)
                       .order_by(col(ScorecardRecord.created_at).desc()).limit(1)).first()
    return None if row is None else scorecard_view(session, row, call)


def speakers_note_of(analysis: dict[str, Any]) -> dict[str, Any] | None:
    """`speakers_note` of an analysis JSON (why the speaker count is unsure, and how to fix it; with
    `case` and `evidence`, the facts `why` was worded from, where the analysis kept them), or None."""
    note = analysis.get("speakers_note")
    if not (isinstance(note, dict) and isinstance(note.get("why"), str) and isinstance(note.get("fix"), str)):
        return None
    return {"why": note["why"], "fix": note["fix"], **{k: note[k] for k in ("case", "evidence") if k in note}}


def scorecard_view(session: Session, record: ScorecardRecord, call: Call | None = None) -> dict[str, Any]:
    """A stored scorecard as the API shows it: id, time, the card, the call's `roles_note` and
    `speakers_note`; each item says whether it is `unsure`: it depends on who is speaking and the
    call's speaker count is unsure (a blank score then reads "unsure", not "no data")."""
    call = call or session.get(Call, record.call_id)
    analysis: dict[str, Any] = {}
    if call is not None:
        try:
            analysis = stored_analysis(session, call)
        except Conflict:
            analysis = {}
    data: dict[str, Any] = {"id": record.id, "created_at": record.created_at, **json.loads(record.card_json),
                            "roles_note": roles_note_of(analysis), "speakers_note": speakers_note_of(analysis)}
    unsure: set[str] = set()
    if data["speakers_note"] is not None:
        try:
            unsure = {i.id for i in rubric_from_dict(data.get("rubric")).items if depends_on_speakers(i)}
        except RubricError:
            unsure = set()
    for item in data.get("items", []):  # a coach's own score is not unsure
        item["unsure"] = item.get("item_id") in unsure and item.get("source") != "coach"
    return data


def review_inbox(session: Session, principal: Principal, limit: int = 100) -> list[Call]:
    """Analysed calls in the principal's scope that nobody has scored yet, newest first. A call
    without speech (`speechless_reason`: it has no feature row) is not one to review."""
    from service.domain.insights import backfill_features

    require(principal, "scorecard.write")
    backfill_features(session, principal.org_id)
    reviewed = select(ScorecardRecord.call_id).where(col(ScorecardRecord.org_id) == principal.org_id)
    with_speech = select(CallFeatureRow.call_id).where(col(CallFeatureRow.org_id) == principal.org_id)
    return list(session.exec(
        select(Call).where(call_condition(principal), col(Call.status) == "done", col(Call.id).not_in(reviewed),
                           col(Call.id).in_(with_speech))
        .order_by(col(Call.created_at).desc()).limit(limit)).all())


def store_rubric(session: Session, principal: Principal, rubric: Rubric) -> None:
    """Create or replace the organization's rubric of that id, and make it active."""
    require(principal, "rubric.write")
    row = session.exec(select(RubricDefinition).where(col(RubricDefinition.org_id) == principal.org_id,
                                                      col(RubricDefinition.rubric_id) == rubric.id)).first()
    row = row or RubricDefinition(org_id=principal.org_id, rubric_id=rubric.id)
    row.content = rubric.to_dict()
    row.active = True
    session.add(row)
    session.commit()


def rep_scorecards(session: Session, principal: Principal, rep_id: str, since: datetime | None = None) -> list[Scorecard]:
    """A rep's scorecards (by user id, or by the name on their calls) on calls the principal may
    see, oldest first."""
    q = (select(ScorecardRecord.card_json)
         .join(Call, col(Call.id) == col(ScorecardRecord.call_id))
         .where(call_condition(principal),
                or_(col(ScorecardRecord.rep_user_id) == rep_id, col(ScorecardRecord.rep) == rep_id)))
    if since is not None:
        q = q.where(col(ScorecardRecord.call_at) >= aware(since))
    return [Scorecard.from_dict(json.loads(j)) for j in session.exec(q.order_by(col(ScorecardRecord.call_at))).all()]
