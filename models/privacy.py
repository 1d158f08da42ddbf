"""Retention, deletion and the audit trail: an organization's retention policy, the tombstone each
deletion leaves, and the append-only log of who did what (docs/security.md, "Retention, deletion
and the audit trail").

Neither `AuditEvent` nor `Tombstone` holds personal content: ids, kinds, counts, times and (for
sign-ins) the connecting address. Both are append-only: the code has no path that updates or
deletes them, and the database refuses it (triggers of migration 0011).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow


class RetentionPolicy(SQLModel, table=True):
    """How long an organization keeps its calls' recordings and their transcripts and analysis, in
    days from when Talktrack stored the call; None keeps them forever (also an organization with no
    row). The sweeper applies it (`service.domain.retention`)."""

    __tablename__ = "retentionpolicy"

    org_id: str = Field(foreign_key="organization.id", primary_key=True, max_length=32)
    audio_days: int | None = None
    analysis_days: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One event of the audit trail (`service.core.audit.record`). `id` grows with every insert, so
    it orders the log. `detail` holds only ids, kinds, formats, roles and counts."""

    __tablename__ = "auditevent"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    org_id: str | None = Field(default=None, index=True, max_length=32)  # None: a sign-in for no known account
    action: str = Field(index=True, max_length=40)
    actor_user_id: str | None = Field(default=None, index=True, max_length=32)
    actor_key_id: str | None = Field(default=None, max_length=32)
    actor_label: str | None = Field(default=None, max_length=200)  # "cli:<os user>", "retention policy"
    via: str = Field(default="api", max_length=10)  # web | api | cli | system
    target_kind: str | None = Field(default=None, max_length=20)  # call | deal | user | key | org
    target_id: str | None = Field(default=None, index=True, max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=64)


class Tombstone(SQLModel, table=True):
    """What one deletion removed: its kind (`call`, `deal`, `person`, `retention`), the id it was
    asked for, the ids of the calls it removed, how many rows and objects of each kind, when and by
    whom."""

    __tablename__ = "tombstone"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(index=True, max_length=32)
    kind: str = Field(max_length=20)
    subject_id: str | None = Field(default=None, max_length=200)
    call_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    by_user_id: str | None = Field(default=None, max_length=32)
    by_key_id: str | None = Field(default=None, max_length=32)
    by_label: str | None = Field(default=None, max_length=200)
    via: str = Field(default="api", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, index=True)
