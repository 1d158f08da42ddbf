"""Full-text search over call transcripts through the database's own index.

`index_call_text` writes a done call's transcript (and its brief's kinds, `searchable_text`) into
`calltext`; the index behind it is
SQLite FTS5 (`calltext_fts`, kept in step by triggers) or PostgreSQL's GIN index on
`to_tsvector('english', body)` (migration 0003). `transcript_match` turns a user's words into a
condition on `Call.id`, so a search is one indexed query, never a scan in Python.

Chinese is written without spaces, so neither index would find "价格" inside "价格大概是多少": the
text is indexed with a space around every Chinese character (`index_form`), and a Chinese search
term is a phrase of its characters (adjacent, in order: FTS5's quoted phrase, PostgreSQL's
`phraseto_tsquery`), which finds the word anywhere in a sentence.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, literal_column, select, text
from sqlmodel import Session, col

from models import Call, CallText
from models.base import utcnow
from service.domain.briefs import brief_search_text

MAX_QUERY_CHARS = 200
_WORD = re.compile(r"[\w']+", re.UNICODE)
_IDEOGRAPH = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def index_form(text: str) -> str:
    """`text` with every Chinese character a token of its own ("价格大概" -> "价 格 大 概")."""
    return _IDEOGRAPH.sub(r" \1 ", text) if _IDEOGRAPH.search(text) else text


def transcript_text(analysis: dict[str, Any]) -> str:
    """The searchable text of an analysis: its turns, one per line."""
    return "\n".join(str(t.get("text", "")) for t in analysis.get("turns") or [])


def searchable_text(analysis: dict[str, Any]) -> str:
    """The transcript, then a line with the brief's kinds and details (`brief_search_text`): a search
    for "budget" finds the calls whose brief has a budget item."""
    extra = brief_search_text(analysis)
    text = transcript_text(analysis)
    return f"{text}\n{extra}" if extra else text


def index_call_text(session: Session, call: Call, analysis: dict[str, Any]) -> None:
    """Insert or replace the call's searchable text (the caller commits)."""
    body = index_form(searchable_text(analysis))
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
    chinese = [index_form(t).split() for t in terms if _IDEOGRAPH.search(t)]
    plain = [t for t in terms if not _IDEOGRAPH.search(t)]
    if session.get_bind().dialect.name == "postgresql":
        # Every word (stemmed) and every Chinese term as a phrase of its characters.
        parts = ["plainto_tsquery('english', :q)"] if plain else []
        params: list[BindParameter[str]] = [bindparam("q", " ".join(plain))] if plain else []
        for k, chars in enumerate(chinese):
            parts.append(f"phraseto_tsquery('simple', :p{k})")
            params.append(bindparam(f"p{k}", " ".join(chars)))
        ids = (select(literal_column("calltext.call_id"))
               .select_from(text("calltext"))
               .where(text(f"to_tsvector('english', calltext.body) @@ ({' && '.join(parts)})").bindparams(*params)))
    else:
        phrases = [" ".join(chars) for chars in chinese] + plain
        fts = " ".join('"' + t.replace('"', '""') + '"' for t in phrases)
        ids = (select(literal_column("calltext.call_id"))
               .select_from(text("calltext JOIN calltext_fts ON calltext_fts.rowid = calltext.rowid"))
               .where(text("calltext_fts MATCH :q").bindparams(bindparam("q", fts))))
    return col(Call.id).in_(ids)
