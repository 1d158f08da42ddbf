"""Reading the audit trail and the tombstones (admins: `audit.read`), for the admin page and the
API, with filters and paging, and as CSV or JSON exports. Writing is `service.core.audit.record`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func
from sqlmodel import Session, col, select

from models import AuditEvent, Tombstone, User
from service.core.access import Principal, require

EXPORT_BATCH = 1000
CSV_COLUMNS = ("id", "at", "action", "actor_user_id", "actor_name", "actor_key_id", "actor_label", "via",
               "target_kind", "target_id", "detail", "ip")


@dataclass(frozen=True, slots=True)
class AuditFilters:
    action: str | None = None  # an action, or a prefix ending in "." ("call." for every call event)
    actor_user_id: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self, org_id: str) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [col(AuditEvent.org_id) == org_id]
        if self.action:
            found.append(col(AuditEvent.action).startswith(self.action) if self.action.endswith(".")
                         else col(AuditEvent.action) == self.action)
        if self.actor_user_id:
            found.append(col(AuditEvent.actor_user_id) == self.actor_user_id)
        if self.target_id:
            found.append(col(AuditEvent.target_id) == self.target_id)
        if self.since:
            found.append(col(AuditEvent.at) >= self.since)
        if self.until:
            found.append(col(AuditEvent.at) < self.until)
        return found


@dataclass(frozen=True, slots=True)
class AuditRows:
    events: list[AuditEvent]
    names: dict[str, str]  # user id -> current name
    total: int
    next_offset: int | None


def _names(session: Session, org_id: str, events: list[AuditEvent]) -> dict[str, str]:
    ids = {e.actor_user_id for e in events if e.actor_user_id} | {
        e.target_id for e in events if e.target_kind == "user" and e.target_id}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name).where(col(User.org_id) == org_id, col(User.id).in_(ids))).all()
    return dict(rows)


def list_events(session: Session, principal: Principal, filters: AuditFilters, *, limit: int,
                offset: int) -> AuditRows:
    """A page of the organization's events, newest first."""
    require(principal, "audit.read")
    where = filters.conditions(principal.org_id)
    total = int(session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one())
    events = list(session.exec(select(AuditEvent).where(*where).order_by(col(AuditEvent.id).desc())
                               .offset(offset).limit(limit)).all())
    nxt = offset + limit if offset + limit < total else None
    return AuditRows(events, _names(session, principal.org_id, events), total, nxt)


def event_dict(event: AuditEvent, names: dict[str, str]) -> dict[str, Any]:
    return {"id": event.id, "at": event.at, "action": event.action, "actor_user_id": event.actor_user_id,
            "actor_name": names.get(event.actor_user_id or ""), "actor_key_id": event.actor_key_id,
            "actor_label": event.actor_label, "via": event.via, "target_kind": event.target_kind,
            "target_id": event.target_id, "detail": event.detail, "ip": event.ip}


def _batches(session: Session, principal: Principal, filters: AuditFilters) -> Iterator[tuple[list[AuditEvent], dict[str, str]]]:
    """Every matching event, oldest first, in batches (an export never holds the whole log)."""
    require(principal, "audit.read")
    where = filters.conditions(principal.org_id)
    after = 0
    while True:
        events = list(session.exec(select(AuditEvent).where(*where, col(AuditEvent.id) > after)
                                   .order_by(col(AuditEvent.id)).limit(EXPORT_BATCH)).all())
        if not events:
            return
        yield events, _names(session, principal.org_id, events)
        after = int(events[-1].id or 0)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _cell(value: Any) -> Any:
    """A spreadsheet must not read a cell as a formula (a person's name typed as "=HYPERLINK(...)")."""
    value = _iso(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(session: Session, principal: Principal, filters: AuditFilters) -> Iterator[str]:
    """The events as CSV text, a header line then one line per event (`detail` as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for events, names in _batches(session, principal, filters):
        for event in events:
            row = event_dict(event, names)
            writer.writerow([json.dumps(row["detail"], sort_keys=True) if k == "detail" else _cell(row[k])
                             for k in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_json(session: Session, principal: Principal, filters: AuditFilters) -> Iterator[str]:
    """The events as one JSON array, oldest first."""
    yield "["
    first = True
    for events, names in _batches(session, principal, filters):
        for event in events:
            row = {k: _iso(v) for k, v in event_dict(event, names).items()}
            yield ("" if first else ",") + json.dumps(row, sort_keys=True, separators=(",", ":"))
            first = False
    yield "]"


def list_tombstones(session: Session, principal: Principal, *, limit: int, offset: int,
                    kind: str | None = None) -> tuple[list[Tombstone], int]:
    """A page of the organization's tombstones, newest first, and how many there are."""
    require(principal, "audit.read")
    where = [col(Tombstone.org_id) == principal.org_id]
    if kind:
        where.append(col(Tombstone.kind) == kind)
    total = int(session.exec(select(func.count()).select_from(Tombstone).where(*where)).one())
    rows = list(session.exec(select(Tombstone).where(*where).order_by(col(Tombstone.created_at).desc(),
                                                                       col(Tombstone.id))
                             .offset(offset).limit(limit)).all())
    return rows, total


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def export_stream(engine: Engine, principal: Principal, filters: AuditFilters, format: str) -> Iterator[str]:
    """The export (`format` csv or json) read in batches on a session of its own while it is sent
    (a response streams after the request's session is closed). The permission is checked now."""
    require(principal, "audit.read")
    export = export_csv if format == "csv" else export_json

    def body() -> Iterator[str]:
        with Session(engine) as session:
            yield from export(session, principal, filters)

    return body()
