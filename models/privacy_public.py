"""API shapes of retention, deletion and the audit trail (`/v1/retention`, `/v1/forget`,
`/v1/tombstones`, `/v1/audit`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_DAYS = 36_500


class RetentionPolicyPublic(BaseModel):
    """Days a call's recording, and its transcript and analysis, are kept after Talktrack stored
    the call; null keeps them forever."""

    model_config = ConfigDict(extra="forbid")

    audio_days: int | None = Field(default=None, ge=1, le=MAX_DAYS, strict=True,
                                   description="whole days; null: recordings are kept forever")
    analysis_days: int | None = Field(default=None, ge=1, le=MAX_DAYS, strict=True,
                                      description="whole days; null: transcripts and analyses are kept forever")


class ForgetCall(BaseModel):
    """Delete one call."""

    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=32)


class ForgetDeal(BaseModel):
    """Delete every call and outcome of a deal (the CRM's deal id)."""

    model_config = ConfigDict(extra="forbid")

    deal_id: str = Field(min_length=1, max_length=200)


class ForgetPerson(BaseModel):
    """Delete everything about a person: their calls, comments, speaker labels, voice profiles,
    keys and user row."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=32)


# Exactly one of the three: any other field, or two of them, is a 422.
ForgetRequest = ForgetCall | ForgetDeal | ForgetPerson


class TombstonePublic(BaseModel):
    """What one deletion removed: ids, kinds and counts, never content."""

    id: str
    kind: str = Field(description="call, deal, person or retention")
    subject_id: str | None = Field(description="the call, deal or user id asked for (the organization for retention)")
    call_ids: list[str]
    counts: dict[str, int] = Field(description="rows per table and objects removed from storage")
    by_user_id: str | None
    by_key_id: str | None
    by_label: str | None = Field(description="cli:<os user> for the command line, 'retention policy' for the sweeper")
    via: str
    created_at: datetime


class TombstonePage(BaseModel):
    items: list[TombstonePublic]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    action: str
    actor_user_id: str | None
    actor_name: str | None = Field(description="the person's current name; null for a key, the command line, "
                                               "the system or a deleted person")
    actor_key_id: str | None
    actor_label: str | None
    via: str = Field(description="web, api, cli or system")
    target_kind: str | None
    target_id: str | None
    detail: dict[str, Any]
    ip: str | None = Field(description="the connecting address, for sign-ins")


class AuditPage(BaseModel):
    items: list[AuditEventPublic]
    total: int
    limit: int
    offset: int
    next_offset: int | None
