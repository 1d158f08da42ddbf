"""Webhook subscriptions, their deliveries and every delivery attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow

WEBHOOK_EVENTS: tuple[str, ...] = ("call.analyzed", "call.failed")


class Webhook(SQLModel, table=True):
    """`secret` signs each delivery (HMAC-SHA256), so it is stored encrypted (`enc:v1:` + Fernet
    token, see `service.core.secret_box`), not hashed."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=1000)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: `pending` until delivered (2xx) or out of attempts (`failed`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    webhook_id: str = Field(foreign_key="webhook.id", index=True, max_length=32)
    org_id: str = Field(index=True, max_length=32)
    event: str = Field(max_length=50)
    call_id: str | None = Field(default=None, max_length=32)
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", index=True, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default_factory=utcnow, index=True)
    lease_expires_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None


class WebhookAttempt(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    delivery_id: str = Field(foreign_key="webhookdelivery.id", index=True, max_length=32)
    attempt: int
    at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    duration_ms: float = 0.0
