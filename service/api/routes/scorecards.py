"""Scorecards: `POST /v1/calls/{id}/scorecards` (auto-score a call with the organisation's rubric,
plus a coach's overrides and comments) and `GET /v1/reps/{id}/scorecard` (a rep's cards over time)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from coaching.features import METRIC_NAMES
from coaching.scorecards import RubricError, rep_aggregates, rubric_from_dict
from models.public import IsoDateTime
from nlp.types import QUESTION_TYPES
from service.api.deps import CurrentPrincipal, Principal, SessionDep, allowed_to
from service.api.responses import API_ERRORS
from service.domain import scorecards
from service.domain.org_definitions import org_rubrics

router = APIRouter(tags=["coaching"], responses=API_ERRORS)


class ItemOverride(BaseModel):
    model_config = ConfigDict(strict=True)
    item_id: str = Field(max_length=100)
    score: float = Field(ge=0, le=1, allow_inf_nan=False, description="0..1")
    comment: str | None = Field(default=None, max_length=5000)


class CommentIn(BaseModel):
    model_config = ConfigDict(strict=True)
    text: str = Field(min_length=1, max_length=5000)
    item_id: str | None = Field(default=None, max_length=100)
    call_time_s: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                       description="the moment of the call it is about")


class ScorecardCreate(BaseModel):
    rubric_id: str | None = Field(default=None, max_length=100,
                                  description="an organisation rubric; default: its active one, else the bundled")
    overrides: list[ItemOverride] = Field(default_factory=list, max_length=200)
    comments: list[CommentIn] = Field(default_factory=list, max_length=200)

    model_config = {"json_schema_extra": {"examples": [{
        "overrides": [{"item_id": "objection_handling", "score": 0.5, "comment": "Dodged the price question."}],
        "comments": [{"text": "Great open question here.", "call_time_s": 8.4}],
    }]}}


class _ThresholdRule(BaseModel):
    """An automatic item scored by comparing a number of the call with `value` (..`high`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    op: Literal[">=", "<=", "between", "present", "absent"]
    value: float | None = None
    high: float | None = None


class MetricRule(_ThresholdRule):
    kind: Literal["metric"]
    name: Literal[METRIC_NAMES]  # type: ignore[valid-type]


class QuestionTypeRule(_ThresholdRule):
    kind: Literal["question_type"]
    name: Literal[QUESTION_TYPES]  # type: ignore[valid-type]


class TrackerRule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["tracker"]
    name: str = Field(min_length=1, max_length=100, description="a built-in or organization tracker")
    op: Literal["present", "absent"]


class RubricItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    id: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=500)
    weight: float = Field(default=1.0, gt=0, le=1000)
    auto: Annotated[MetricRule | QuestionTypeRule | TrackerRule, Field(discriminator="kind")] | None = Field(
        default=None, description="how the item scores itself; none: a coach scores it")


class RubricIn(BaseModel):
    """A rubric in the shape of `coaching/rubric.yaml`; `id` defaults to the one in the path."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Discovery call",
        "items": [{"id": "early_discovery", "label": "Open question in the first 90 s", "weight": 2,
                   "auto": {"kind": "metric", "name": "open_questions_first_90s", "op": ">=", "value": 1}},
                  {"id": "rapport", "label": "Built rapport (coach)", "weight": 1}],
    }]})

    id: str | None = Field(default=None, min_length=1, max_length=100, description="must match the path's")
    name: str = Field(min_length=1, max_length=200)
    items: list[RubricItemIn] = Field(min_length=1, max_length=100, description="item ids must be unique")


@router.put("/rubrics/{rubric_id}", summary="Create or replace a scorecard rubric (admin, coach)",
            responses={422: {"description": "not a valid rubric"}})
def put_rubric(rubric_id: str, body: RubricIn, session: SessionDep,
               principal: Annotated[Principal, allowed_to("rubric.write")]) -> dict[str, Any]:
    if body.id not in (None, rubric_id):
        raise HTTPException(422, detail="the body's id must match the rubric id in the path")
    try:
        rubric = rubric_from_dict({**body.model_dump(exclude_none=True), "id": rubric_id})
    except RubricError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    scorecards.store_rubric(session, principal, rubric)
    return rubric.to_dict()


@router.get("/rubrics", summary="Scorecard rubrics of the organisation (the bundled default if none)")
def list_rubrics(session: SessionDep, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return org_rubrics(session, principal.org_id)


@router.post("/calls/{call_id}/scorecards", status_code=201, summary="Score a call (auto + coach overrides)",
             responses={404: {"description": "no such call (or rubric)"}, 409: {"description": "not analysed yet"}})
def create_scorecard(call_id: str, body: ScorecardCreate, session: SessionDep,
                     principal: Annotated[Principal, allowed_to("scorecard.write")]) -> dict[str, Any]:
    record = scorecards.save_scorecard(
        session, principal, call_id,
        [scorecards.ItemInput(o.item_id, o.score, o.comment) for o in body.overrides],
        [scorecards.CommentInput(c.text, c.item_id, c.call_time_s) for c in body.comments],
        rubric_id=body.rubric_id)
    return scorecards.scorecard_view(session, record)


@router.get("/calls/{call_id}/scorecard", summary="The call's current (newest) scorecard",
            responses={404: {"description": "no such call visible to this key, or no scorecard yet"}})
def get_call_scorecard(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    card = scorecards.current_scorecard(session, principal, call_id)
    if card is None:
        raise HTTPException(404, detail="this call has no scorecard yet")
    return card


@router.get("/reps/{rep_id}/scorecard", summary="A rep's scorecards over time (per week or month)")
def get_rep_scorecard(rep_id: str, session: SessionDep, principal: CurrentPrincipal,
                      period: Literal["week", "month"] = Query("week"),
                      since: IsoDateTime | None = Query(None, description="only calls from this time on"),
                      ) -> dict[str, Any]:
    """`rep_id` is the rep's user id or their name as it appears on calls."""
    if principal.role == "rep" and rep_id != principal.user_id:
        raise HTTPException(404, detail="rep not found")
    cards = scorecards.rep_scorecards(session, principal, rep_id, since)
    if not cards:
        raise HTTPException(404, detail="no scorecards for this rep")
    return {
        "rep": rep_id,
        "n_scorecards": len(cards),
        "periods": [p.to_dict() for p in rep_aggregates(cards, period)],
        "latest": [c.to_dict() for c in cards[-10:][::-1]],
    }
