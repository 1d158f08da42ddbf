"""Full-text search over call transcripts through the database's own index.

`index_call_text` writes a done call's transcript into `calltext`; the index behind it is
SQLite FTS5 (`calltext_fts`, kept in step by triggers) or PostgreSQL's GIN index on
`to_tsvector('english', body)` (migration 0003). `transcript_match` turns a user's words into a
condition on `Call.id`, so a search is one indexed query, never a scan in Python.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, literal_column, select, text
from sqlmodel import Session, col

from models import Call, CallText
from models.base import utcnow

MAX_QUERY_CHARS = 200
_WORD = re.compile(r"[\w']+", re.UNICODE)


def transcript_text(analysis: dict[str, Any]) -> str:
    """The searchable text of an analysis: its turns, one per line."""
    return "\n".join(str(t.get("text", "")) for t in analysis.get("turns") or [])


def index_call_text(session: Session, call: Call, analysis: dict[str, Any]) -> None:
    """Insert or replace the call's searchable text (the caller commits)."""
    body = transcript_text(analysis)
    row = session.get(CallText, call.id)
    if row is None:
        row = CallText(call_id=call.id, org_id=call.org_id, body=body)
    else:
        row.body, row.updated_at = body, utcnow()
    session.add(row)


def search_terms(query: str) -> list[str]:
    """The words of a search box's text (punctuation and operators are dropped: a user's text is
    never passed to the index as query syntax)."""
    return _WORD.findall(query[:MAX_QUERY_CHARS].lower())[:20]


def transcript_match(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on `Call.id` selecting calls whose transcript has every word of `query`
    (stemmed), or None when the query has no words."""
    terms = search_terms(query)
    if not terms:
        return None
    ids: Select[tuple[Any]]
    if session.get_bind().dialect.name == "postgresql":
        ids = (select(literal_column("calltext.call_id"))
               .select_from(text("calltext"))
               .where(text("to_tsvector('english', calltext.body) @@ plainto_tsquery('english', :q)")
                      .bindparams(bindparam("q", " ".join(terms)))))
    else:
        fts = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        ids = (select(literal_column("calltext.call_id"))
               .select_from(text("calltext JOIN calltext_fts ON calltext_fts.rowid = calltext.rowid"))
               .where(text("calltext_fts MATCH :q").bindparams(bindparam("q", fts))))
    return col(Call.id).in_(ids)
