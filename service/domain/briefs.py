"""A call's brief as the service stores and serves it.

The brief (`nlp.brief.Brief`, made by the analysis) is stored in `callresult.brief_json`, apart
from the analysis JSON, with three small numbers the deal view compares across calls
(`customer_talk_share`, `customer_questions`, `speaker_names`): `brief_columns` derives them from
an analysis JSON and `service.domain.analyses` writes them in the same transaction as the analysis,
whenever it is stored or replaced.

Calls analysed before briefs existed have none (NULL): `GET /v1/calls/{id}/brief` answers
`brief: null` with a note, and a deal view lists them without items. Nothing is computed lazily on
a read: a brief needs the language models, which an API process does not load (docs/deals.md);
`talktrack admin backfill-briefs` builds theirs (`calls_without_brief` finds them,
`service.analysis.brief_backfill` builds, `service.domain.analyses.store_brief` stores).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models import Call, CallResult
from nlp.brief.types import Brief
from service.core.access import Principal
from service.core.errors import Conflict
from service.core.i18n import N_
from service.domain.calls import visible_call

log = logging.getLogger(__name__)

NO_BRIEF_NOTE = ("This call was analysed before Talktrack wrote briefs, so it has none yet. "
                 "An admin can write the briefs of older calls with `talktrack admin backfill-briefs`.")
# What a search for the kind finds ("budget" finds calls whose brief has a budget item).
KIND_WORDS: dict[str, str] = {
    "pain": "pain", "need": "need", "objection": "objection", "budget": "budget", "price": "price",
    "competitor": "competitor", "decision": "decision", "next_step": "next step", "question": "question",
}
_NAME_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def brief_of(analysis: dict[str, Any]) -> dict[str, Any] | None:
    """The `brief` object of an analysis JSON, or None when the analysis has none."""
    brief = analysis.get("brief")
    return brief if isinstance(brief, dict) else None


def customer_talk_share(analysis: dict[str, Any]) -> float | None:
    """The customer speakers' talk time over every speaker's talk time (0..1), or None when the
    call has no talk or no speaker is the customer."""
    speakers = [s for s in analysis.get("speakers") or [] if isinstance(s, dict)]
    total = sum(float(s.get("talk_time_s") or 0.0) for s in speakers)
    customers = [s for s in speakers if s.get("role") == "customer"]
    if total <= 0 or not customers:
        return None
    return round(sum(float(s.get("talk_time_s") or 0.0) for s in customers) / total, 4)


def speaker_names(analysis: dict[str, Any]) -> list[str]:
    """The names of the call's speakers (as tagged, enrolled or relabelled), without repeats."""
    names: list[str] = []
    for s in analysis.get("speakers") or []:
        name = s.get("name") if isinstance(s, dict) else None
        if isinstance(name, str) and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return names


def brief_columns(analysis: dict[str, Any]) -> dict[str, Any]:
    """The `callresult` columns an analysis JSON gives beside itself (see the module's docstring)."""
    brief = brief_of(analysis)
    questions = (analysis.get("metrics") or {}).get("question_count_customer")
    return {
        "brief_json": None if brief is None else _json(brief),
        "customer_talk_share": customer_talk_share(analysis),
        "customer_questions": int(questions) if isinstance(questions, int | float) else None,
        "speaker_names": speaker_names(analysis),
    }


def brief_search_text(analysis: dict[str, Any]) -> str:
    """What the brief adds to the call's searchable text: the kind of every item as words, and its
    detail (an objection's topic, a competitor's name, a decision maker). Item texts are words said
    in the call, already in the transcript."""
    brief = brief_of(analysis)
    if brief is None:
        return ""
    words: list[str] = []
    for item in brief.get("items") or []:
        if not isinstance(item, dict):
            continue
        kind = KIND_WORDS.get(str(item.get("kind")))
        if kind and kind not in words:
            words.append(kind)
        detail = item.get("detail")
        if isinstance(detail, str) and detail.strip() and detail.strip() not in words:
            words.append(detail.strip())
    return " ".join(words)


def parse_brief(text: str | None, call_id: str = "") -> Brief | None:
    """A stored brief, or None when there is none (or it does not read back: logged, never raised,
    so one bad row does not break a deal view)."""
    if not text:
        return None
    try:
        return Brief.from_dict(json.loads(text))
    except (ValueError, TypeError, KeyError):
        log.warning("the stored brief of call %s does not read back", call_id, exc_info=True)
        return None


def name_words(name: str) -> set[str]:
    """The words of a person's name or title, lower-cased (for matching a decision maker named in a
    brief against the speakers of a deal's calls)."""
    return {w for w in _NAME_WORD.findall(name.lower()) if len(w) >= 2}


def calls_without_brief(session: Session, org_id: str | None = None, limit: int | None = None) -> list[str]:
    """The ids of done calls whose stored analysis has no brief (analysed before briefs existed),
    oldest first; of one organization when `org_id` is given. Calls whose analysis the retention
    policy deleted have no `callresult` row and are not listed."""
    stmt = (select(Call.id).join(CallResult, col(CallResult.call_id) == col(Call.id))
            .where(col(Call.status) == "done", col(CallResult.brief_json).is_(None))
            .order_by(col(Call.created_at), col(Call.id)))
    if org_id is not None:
        stmt = stmt.where(col(Call.org_id) == org_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt).all())


@dataclass(frozen=True, slots=True)
class CallBrief:
    """A call's brief as `GET /v1/calls/{id}/brief` answers it: the brief's JSON, or None with a note."""

    call: Call
    brief: dict[str, Any] | None
    note: str | None


def call_brief(session: Session, principal: Principal, call_id: str) -> CallBrief:
    """The brief of a call the principal may see (NotFound otherwise, as for the call itself);
    Conflict while the call is not analysed."""
    call = visible_call(session, principal, call_id)
    if call.status != "done":
        raise Conflict(N_("the call is not analysed yet (status: %(status)s), so it has no brief", status=call.status))
    stored = session.exec(select(CallResult.brief_json).where(col(CallResult.call_id) == call.id)).first()
    if not stored:
        return CallBrief(call, None, NO_BRIEF_NOTE)
    data: dict[str, Any] = json.loads(stored)
    return CallBrief(call, data, None)
