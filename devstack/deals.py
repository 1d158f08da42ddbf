"""Deals made on purpose, for the deal tests and `bench.deal_view`: calls stored straight into a
stack's database through the service's own domain function (`service.domain.analyses.store_analysis`,
the one the analysis jobs call), each with an analysis JSON (a real one, reshaped) and a brief
written by hand, so that every rule of docs/deals.md can be reached with known values.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def item(kind: str, text: str, start: float, *, speaker: str = "S2", role: str = "customer", **extra: Any) -> dict[str, Any]:
    """A brief item (`nlp.brief.types.BriefItem` as JSON) said from `start` for 3 seconds."""
    return {"kind": kind, "text": text, "start": start, "end": start + 3.0, "speaker": speaker, "role": role,
            "confidence": 0.9, "detail": None, "amount": None, "owner": None, "due": None, "date_phrase": None,
            **extra}


def brief(items: list[dict[str, Any]], call_date: str | None = None, chapters: int = 0) -> dict[str, Any]:
    """A brief (`nlp.brief.types.Brief.to_dict()`) with these items."""
    return {"version": 1, "call_date": call_date, "call_date_source": "recorded_at" if call_date else None,
            "empty_reason": None,
            "chapters": [{"title": f"Topic {n + 1}", "start": 60.0 * n, "end": 60.0 * (n + 1),
                          "key_phrases": [f"topic {n + 1}"]} for n in range(chapters)],
            "items": items,
            "email": {"subject": "Thank you for your time", "body": "Thanks for the call today."}}


@dataclass
class SeedCall:
    """A call to store: whose (`org_id`, `team_id`, `rep_user_id`), when, in which deal, and what its
    analysis says (speaker names and roles with talk times, the customer's question count, a brief)."""

    org_id: str
    started_at: datetime
    deal_id: str | None
    team_id: str | None = None
    rep_user_id: str | None = None
    rep_name: str | None = "Dana"
    title: str | None = None
    status: str = "done"
    brief: dict[str, Any] | None = None
    # (name, role, talk seconds) of each speaker, in the order of the base analysis' speakers.
    speakers: list[tuple[str, str, float]] = field(default_factory=lambda: [("Dana", "rep", 12.0),
                                                                             ("Bob", "customer", 18.0)])
    customer_questions: int = 2


def shaped_analysis(base: dict[str, Any], seed: SeedCall) -> dict[str, Any]:
    """`base` (a real analysis JSON) with the seed's speakers, question count and brief."""
    data = copy.deepcopy(base)
    speakers = data.get("speakers") or []
    for s, (name, role, talk) in zip(speakers, seed.speakers, strict=False):
        s.update(name=name, role=role, talk_time_s=talk)
    data.setdefault("metrics", {})["question_count_customer"] = seed.customer_questions
    if seed.brief is not None:
        data["brief"] = seed.brief
    else:
        data.pop("brief", None)
    return data


def store_calls(settings: Any, base: dict[str, Any], seeds: list[SeedCall]) -> list[str]:
    """Store the calls (done ones with their analysis, through `store_analysis`); returns their ids."""
    from models import Call
    from models.base import utcnow
    from service.core.db import session_scope
    from service.domain.analyses import store_analysis

    ids = []
    with session_scope(settings) as s:
        for seed in seeds:
            call = Call(org_id=seed.org_id, team_id=seed.team_id, rep_user_id=seed.rep_user_id,
                        rep_name=seed.rep_name, title=seed.title, started_at=seed.started_at, deal_id=seed.deal_id,
                        media_kind="vtt", status=seed.status, duration_s=float(base.get("duration_s") or 0.0))
            if seed.status == "done":
                call.progress, call.completed_at = 1.0, utcnow()
            s.add(call)
            s.flush()
            if seed.status == "done":
                store_analysis(s, call, shaped_analysis(base, seed), [], utcnow())
            ids.append(call.id)
        s.commit()
    return ids
