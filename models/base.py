"""Helpers shared by the tables: ids and timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """Random, unguessable ids: a call id from another organization reveals nothing."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Aware UTC now (SQLModel's datetime columns store aware times and return them in UTC)."""
    return datetime.now(UTC)


def aware(dt: datetime | None) -> datetime | None:
    """A client's time as aware UTC (a naive time is taken to be UTC)."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
