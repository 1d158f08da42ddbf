"""Removing calls and every row that refers to them, and the tombstone each deletion leaves.

Which rows refer to a call is read from the tables themselves: every table with a foreign key to
`call.id`, and the columns in `CALL_COLUMNS_WITHOUT_KEY` that name a call without one; rows that
refer to a removed row (a webhook delivery's attempts) go first. A table another feature adds is
covered as soon as its `call_id` has a foreign key; `tests/service/test_retention_forget.py` fails
for a column that names a call or a person and is handled nowhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import Column, ColumnElement, Table, delete, select
from sqlmodel import Session, SQLModel

from models import Tombstone
from service.core.audit import Actor, record

# Tables that name a call without a foreign key (the delivery log outlives nothing it describes).
CALL_COLUMNS_WITHOUT_KEY: dict[str, str] = {"webhookdelivery": "call_id"}
# Rows that stay when the retention policy removes a call's transcript and analysis: the record of
# its analysis runs (their failure reasons are not the call's content), its CRM outcome and who it is
# shared with (a grant, not content; comments and their notifications go with the content).
KEPT_WITH_THE_CALL: frozenset[str] = frozenset({"job", "outcome", "callshare"})


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def call_references() -> list[tuple[Table, Column[str]]]:
    """(table, column) for every column that names a call, children before the call table."""
    call = _table("call")
    refs: list[tuple[Table, Column[str]]] = []
    for table in reversed(SQLModel.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column.table is call and fk.column.name == "id":
                refs.append((table, fk.parent))
    for name, column in CALL_COLUMNS_WITHOUT_KEY.items():
        refs.append((_table(name), _table(name).c[column]))
    return refs


def _children(table: Table) -> list[tuple[Table, Column[str]]]:
    """Tables with a foreign key to `table`'s primary key (the call table's are handled above)."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1:
        return []
    found = []
    for other in SQLModel.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column is pk[0] and other is not table:
                found.append((other, fk.parent))
    return found


def delete_where(session: Session, table: Table, condition: ColumnElement[bool], counts: Counter[str]) -> None:
    """Delete the rows of `table` matching `condition`, after the rows that refer to them."""
    pk = list(table.primary_key.columns)
    for child, column in _children(table):
        delete_where(session, child, column.in_(select(pk[0]).where(condition)), counts)
    n = session.execute(delete(table).where(condition)).rowcount  # type: ignore[attr-defined]
    if n:
        counts[table.name] += int(n)


def delete_calls(session: Session, call_ids: Sequence[str], counts: Counter[str]) -> None:
    """Delete calls and every row that refers to them (the caller commits)."""
    if not call_ids:
        return
    for table, column in call_references():
        delete_where(session, table, column.in_(list(call_ids)), counts)
    call = _table("call")
    n = session.execute(delete(call).where(call.c.id.in_(list(call_ids)))).rowcount  # type: ignore[attr-defined]
    counts["call"] += int(n or 0)


def delete_call_content(session: Session, call_ids: Sequence[str], counts: Counter[str]) -> None:
    """Delete what was made from the calls' words (analysis, transcript text, suggestions, brief,
    feature rows, scorecards, live cards, webhook payloads), keeping the call rows, their jobs and
    outcomes (`KEPT_WITH_THE_CALL`). The caller commits."""
    if not call_ids:
        return
    for table, column in call_references():
        if table.name not in KEPT_WITH_THE_CALL:
            delete_where(session, table, column.in_(list(call_ids)), counts)


def leave_tombstone(session: Session, *, org_id: str, kind: str, subject_id: str | None,
                    call_ids: Iterable[str], counts: Counter[str] | dict[str, int], actor: Actor,
                    action: str, detail: dict[str, str] | None = None) -> Tombstone:
    """Add the deletion's tombstone and its audit event (with `detail`, e.g. the rule that allowed it)
    to the caller's transaction."""
    clean = {k: int(v) for k, v in sorted(counts.items()) if v}
    stone = Tombstone(org_id=org_id, kind=kind, subject_id=subject_id, call_ids=sorted(call_ids), counts=clean,
                      by_user_id=actor.user_id, by_key_id=actor.key_id, by_label=actor.label, via=actor.via)
    session.add(stone)
    record(session, action, org_id=org_id, actor=actor, target_kind=kind, target_id=subject_id,
           detail={"tombstone": stone.id, "calls": len(stone.call_ids), **(detail or {}), **clean}, commit=False)
    return stone
