"""Coaching tables: one feature row per analysed call (what insights aggregate), insight snapshots,
scoring rubrics and scorecards.

`CallFeatureRow` has one column per call metric so that insights over 100,000 calls read plain
columns (`coaching.features.FeatureColumns.from_arrays`) instead of parsing analysis JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow


class CallFeatureRow(SQLModel, table=True):
    """`coaching.features.CallFeatures` of one call (outcomes stay in `Outcome`)."""

    __tablename__ = "callfeatures"

    call_id: str = Field(foreign_key="call.id", primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    rep: str | None = Field(default=None, index=True, max_length=200)
    duration_s: float = 0.0
    has_timing: bool = True
    talk_ratio: float | None = None
    longest_monologue_s: float | None = None
    longest_customer_story_s: float | None = None
    interactivity: float | None = None
    patience_s: float | None = None
    interruptions_rep: float | None = None
    interruptions_customer: float | None = None
    question_count_rep: float | None = None
    question_count_customer: float | None = None
    open_question_count_rep: float | None = None
    open_questions_first_90s: float | None = None
    first_question_s: float | None = None
    words_per_minute_rep: float | None = None
    filler_rate_rep: float | None = None
    trackers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rep_question_types: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The analysis' language ("en", "zh"); None for rows written before it was kept: English.
    language: str | None = Field(default=None, max_length=16, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class InsightSnapshot(SQLModel, table=True):
    """Insights stored for a scope (`InsightReport.to_dict()`): a team's (`team_id`) or the
    organization's (`team_id` None). They rank the scope's suggestions and choose its live cards."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    team_id: str | None = Field(default=None, foreign_key="team.id", index=True, max_length=32)
    n_calls: int = 0
    report_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RubricDefinition(SQLModel, table=True):
    """A scorecard rubric of an organisation (the shape of `coaching/rubric.yaml`)."""

    __table_args__ = (UniqueConstraint("org_id", "rubric_id", name="uq_rubric_org_rubric"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    rubric_id: str = Field(max_length=100)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class ScorecardRecord(SQLModel, table=True):
    """One scorecard of one call (`coaching.scorecards.Scorecard.to_dict()` in `card_json`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    rep: str | None = Field(default=None, index=True, max_length=200)
    rep_user_id: str | None = Field(default=None, index=True, max_length=32)
    rubric_id: str = Field(max_length=100)
    total: float | None = None
    call_at: datetime = Field(default_factory=utcnow, index=True)
    card_json: str = Field(sa_column=Column(Text, nullable=False))
    created_by_key_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LiveCallRecord(SQLModel, table=True):
    """The live cards of one streamed call (`coaching.live.LiveCard.to_dict()` each, with
    `followed`/`followed_at` and `shown`), and whether the call was drawn into the holdout
    (cards computed and stored, never sent). Read by `GET /v1/calls/{id}` (`live`) and the
    live-guidance report."""

    __tablename__ = "livecall"

    call_id: str = Field(foreign_key="call.id", primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    held_out: bool = Field(default=False, index=True)
    holdout: float = 0.0  # the organization's holdout share when the call started
    insight_snapshot_id: str | None = Field(default=None, max_length=32)  # the insights the cards came from
    cards: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
