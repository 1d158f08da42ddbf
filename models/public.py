"""API shapes (the `XCreate` / `XPublic` side of the tables): what clients send and receive."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, field_validator

from models.calls import Call, CallStatus

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_only(value: Any) -> Any:
    """Pydantic reads a number (or a numeric string) as Unix time; the API documents ISO 8601 only."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("expected an ISO 8601 date-time such as 2026-11-20T15:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]
"""A date-time given as ISO 8601 text (what the OpenAPI `format: date-time` says), never a number."""

CALL_EXAMPLE: dict[str, Any] = {
    "id": "7f3c9a6e2b8d4c1f9e0a5b6c7d8e9f01", "status": "done", "progress": 1.0, "progress_step": "analyze",
    "error": None, "title": "Discovery call with Acme", "rep_name": "Dana", "rep_user_id": None,
    "team_id": None, "rep_channel": 0, "started_at": "2026-11-20T15:00:00Z", "deal_id": "006XX000001",
    "crm_ids": {"salesforce_opportunity_id": "006XX000001"}, "media_kind": "audio",
    "original_filename": "acme.wav", "size_bytes": 1234567, "duration_s": 1805.2,
    "created_at": "2026-11-20T15:40:00Z", "completed_at": "2026-11-20T15:42:10Z",
}


class CallMetadata(BaseModel):
    """Form fields sent with an upload (all optional)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=500)
    rep: str | None = Field(default=None, max_length=200,
                            description="the rep's name as in the transcript's speaker tags or a voice profile")
    rep_user_id: str | None = Field(default=None, max_length=32, description="the user the call belongs to")
    started_at: IsoDateTime | None = None
    deal_id: str | None = Field(default=None, max_length=200, description="CRM deal/opportunity id")
    crm_ids: dict[str, str] = Field(default_factory=dict, description="other CRM ids, e.g. hubspot_deal_id")
    rep_channel: int = Field(default=0, ge=0, le=1, description="stereo channel of the rep: 0 left, 1 right")
    num_speakers: int | None = Field(default=None, ge=1, le=20, description="same as expected_speakers")
    language: str | None = Field(
        default=None, max_length=40,
        description="the spoken language: auto (detected), en, zh or another Whisper language code (zh-CN, Mandarin "
                    "are accepted); default: the organization's default language, else en")
    expected_speakers: int | None = Field(
        default=None, ge=1, le=20,
        description="how many people are on the call (e.g. the CRM meeting's attendee count): a prior for a mono "
                    "recording's speaker count, not a forced count; default: the server's TALKTRACK_CALL_SPEAKERS")

    @field_validator("crm_ids")
    @classmethod
    def _small_crm_ids(cls, v: dict[str, str]) -> dict[str, str]:
        if len(v) > 20 or any(len(k) > 100 or len(x) > 200 for k, x in v.items()):
            raise ValueError("at most 20 crm_ids, keys up to 100 and values up to 200 characters")
        return v


class CallPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CALL_EXAMPLE]})

    id: str
    status: CallStatus = Field(description="queued, processing, done or failed; `retrying` while the audio store or "
                                           "the database is unavailable (then `error` says why and `retry_at` when "
                                           "it is tried again)")
    progress: float
    progress_step: str | None
    error: str | None
    retry_at: datetime | None = Field(default=None, description="when a retrying call's analysis runs again")
    title: str | None
    rep_name: str | None
    rep_user_id: str | None
    team_id: str | None
    rep_channel: int
    started_at: datetime | None
    deal_id: str | None
    crm_ids: dict[str, str]
    media_kind: str
    language: str | None = Field(default=None, description="the spoken language the upload chose (null: the "
                                                           "organization's default)")
    original_filename: str | None
    size_bytes: int
    duration_s: float | None
    created_at: datetime
    completed_at: datetime | None
    audio_expired_at: datetime | None = Field(
        default=None, description="when the retention policy deleted the recording (null: not deleted)")
    analysis_expired_at: datetime | None = Field(
        default=None, description="when the retention policy deleted the transcript and analysis (null: not deleted)")

    @classmethod
    def of(cls, call: Call) -> CallPublic:
        return cls.model_validate(call, from_attributes=True)


class OutcomePublic(BaseModel):
    id: str
    call_id: str | None
    deal_id: str | None
    outcome: Literal["won", "lost", "next_step_booked"]
    amount: float | None
    currency: str | None
    occurred_on: date | None
    note: str | None
    created_at: datetime
    applies_to_calls: int = 0


class CallDetail(CallPublic):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        **CALL_EXAMPLE, "outcome": None,
        "analysis": {"schema_version": 1, "duration_s": 1805.2, "speakers": [], "words": [], "turns": [],
                     "questions": [], "trackers": [], "next_steps": [], "metrics": {"talk_ratio": 0.46}},
    }]})

    outcome: OutcomePublic | None = None
    analysis: dict[str, Any] | None = Field(
        default=None, description="`talktrack analyze --format json` of the call, once status is done")
    live: dict[str, Any] | None = Field(
        default=None, description="for a call streamed live: `held_out` (drawn into the holdout: cards computed, "
                                  "not sent), `cards` (each with `basis`, `evidence`, `finding`, `followed`, "
                                  "`followed_at`, `shown`) and the call's `follow_through` rate")


class CallPage(BaseModel):
    items: list[CallPublic]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class SpeakerLabel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=50, examples=["S1"])
    role: Literal["rep", "customer", "unknown"] | None = None
    name: str | None = Field(default=None, max_length=200, examples=["Dana"])


class SpeakersPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"speakers": [{"id": "S1", "role": "rep", "name": "Dana"}, {"id": "S2", "role": "customer"}]}]})

    speakers: list[SpeakerLabel] = Field(min_length=1, max_length=50)


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [
        {"deal_id": "006XX000001", "outcome": "won", "amount": 42000, "currency": "USD",
         "occurred_on": "2026-11-25"}]})

    call_id: str | None = Field(default=None, min_length=1, max_length=32)
    deal_id: str | None = Field(default=None, min_length=1, max_length=200)
    outcome: Literal["won", "lost", "next_step_booked"]
    amount: float | None = Field(default=None, ge=0, le=1e12, strict=True)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    occurred_on: date | None = None
    note: str | None = Field(default=None, max_length=5000)


WebhookEvent = Literal["call.analyzed", "call.failed"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "https://crm-connector.example.com/talktrack", "events": ["call.analyzed", "call.failed"]}]})

    url: HttpUrl
    secret: str | None = Field(default=None, min_length=16, max_length=200,
                               description="HMAC key; generated (and returned once) when omitted")
    events: list[WebhookEvent] = Field(default=["call.analyzed", "call.failed"], min_length=1)


class WebhookPublic(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="only in the response that created it")


class WebhookAttemptPublic(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float


class WebhookDeliveryPublic(BaseModel):
    id: str
    event: str
    call_id: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    attempt_log: list[WebhookAttemptPublic] = Field(default_factory=list)


class SuggestionsPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"call_id": "7f3c9a6e2b8d4c1f9e0a5b6c7d8e9f01", "status": "done", "suggestions": []}]})

    call_id: str
    status: str
    suggestions: list[dict[str, Any]]


class TrackerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True, json_schema_extra={"examples": [
        {"name": "pricing", "phrases": ["price", "discount", "budget"], "examples": ["how much does it cost"]}]})
    name: str = Field(min_length=1, max_length=100)
    phrases: list[str] = Field(default_factory=list, max_length=500)
    examples: list[str] = Field(default_factory=list, max_length=200)
    threshold: float | None = Field(default=None, ge=0, le=1)
    speaker_role: str | None = Field(default=None, pattern="^(rep|customer)$")
    enabled: bool = True


class PlaybookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    name: str = Field(min_length=1, max_length=100)
    content: dict[str, Any]
    active: bool = True
