"""Calls, their analysis jobs, results and outcomes.

`Call.status` is what the API shows (queued, processing, retrying, done, failed); `Job` is the
durable execution record behind it (attempts, lease, transient retries), whichever executor runs
it. The analysis JSON and the precomputed suggestions live in `CallResult`, so listing calls never
loads them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow

CallStatus = Literal["queued", "processing", "retrying", "done", "failed"]
# Every status a call can have, in the order a call moves through them (filters, pages, metrics).
CALL_STATUSES: tuple[str, ...] = ("queued", "processing", "retrying", "done", "failed")
OutcomeKind = Literal["won", "lost", "next_step_booked"]


class Call(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "idempotency_key", name="uq_call_org_idempotency"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    team_id: str | None = Field(default=None, foreign_key="team.id", index=True, max_length=32)
    rep_user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    uploaded_by_key_id: str | None = Field(default=None, max_length=32)
    idempotency_key: str | None = Field(default=None, max_length=200)

    title: str | None = Field(default=None, max_length=500)
    rep_name: str | None = Field(default=None, max_length=200)
    rep_channel: int = 0
    num_speakers: int | None = None
    started_at: datetime | None = Field(default=None, index=True)
    deal_id: str | None = Field(default=None, index=True, max_length=200)
    crm_ids: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    media_kind: str = Field(max_length=20)  # audio | vtt | json
    original_filename: str | None = Field(default=None, max_length=500)  # display only, never a path
    storage_key: str | None = Field(default=None, max_length=500)
    size_bytes: int = 0
    sha256: str | None = Field(default=None, max_length=64)
    # The `audio/*` type of the recording as the decoder found it (`service.core.served_files`); None
    # until its analysis decoded it, and for a file that is not audio: such a file is never served.
    audio_type: str | None = Field(default=None, max_length=50)
    # The spoken language the upload chose ("auto", "en", "zh", a Whisper code); None: the
    # organization's default (`Organization.default_language`), else English.
    language: str | None = Field(default=None, max_length=16)

    status: str = Field(default="queued", index=True, max_length=20)
    progress: float = 0.0
    progress_step: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, sa_column=Column(Text))
    duration_s: float | None = None
    # When a `retrying` call's analysis is tried again (a storage or database outage: `error` says which).
    retry_at: datetime | None = None

    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    # When the organization's retention policy deleted the recording, and the transcript and analysis
    # (`service.domain.retention`); the call row stays, so pages and the API can say so.
    audio_expired_at: datetime | None = None
    analysis_expired_at: datetime | None = None


class CallResult(SQLModel, table=True):
    """The analysis JSON (`CallAnalysis.to_dict()`) and precomputed suggestions of a done call."""

    call_id: str = Field(foreign_key="call.id", primary_key=True, max_length=32)
    analysis_json: str = Field(sa_column=Column(Text, nullable=False))
    suggestions_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # The call's brief (`nlp.brief.Brief.to_dict()`) and the few numbers a deal view compares across
    # calls, apart from the analysis JSON so that a deal of 20 calls never parses 20 transcripts
    # (`service.domain.briefs`). None for calls analysed before briefs existed.
    brief_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    customer_talk_share: float | None = None  # customer speakers' talk time / all speakers' talk time
    customer_questions: int | None = None  # the customer's countable questions (metrics)
    speaker_names: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """One analysis run of a call. A worker claims it by moving it to `processing` with a lease it
    keeps renewing; a lease that runs out means the worker died, and the job is queued again until
    `attempts` reaches the limit. A transient failure (storage or database unavailable) moves it to
    `retrying` instead, with `lease_expires_at` as the time of the next try, and counts in `retries`,
    not in `attempts` (`service.jobs.retry`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    kind: str = Field(default="analyze", max_length=20)
    status: str = Field(default="queued", index=True, max_length=20)
    attempts: int = 0
    retries: int = 0
    lease_expires_at: datetime | None = Field(default=None, index=True)
    worker_id: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    # When a message for it last went to the broker (Celery). A queued job never sent (its API process
    # died between storing the call and sending) is sent by the sweeper of any other process.
    sent_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Outcome(SQLModel, table=True):
    """An outcome for one call or for a CRM deal (then it applies to all of the deal's calls)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    call_id: str | None = Field(default=None, foreign_key="call.id", index=True, max_length=32)
    deal_id: str | None = Field(default=None, index=True, max_length=200)
    outcome: str = Field(max_length=30)
    amount: float | None = None
    currency: str | None = Field(default=None, max_length=3)
    occurred_on: date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_by_key_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


JsonDict = dict[str, Any]


class CallText(SQLModel, table=True):
    """A done call's transcript as plain text, the source of the full-text index (SQLite FTS5 table
    `calltext_fts`, PostgreSQL GIN index on `to_tsvector('english', body)`; see `service.domain.search`)."""

    call_id: str = Field(foreign_key="call.id", primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    body: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
