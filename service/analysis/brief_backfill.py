"""Briefs for calls analysed before briefs existed (`talktrack admin backfill-briefs`, docs/brief.md).

A stored analysis keeps the transcript, questions, trackers and next steps, but not the sentences
(spaCy parses) and embeddings the brief is built from, so the language stage runs again on the
stored transcript, as the analysis job runs it (`nlp.analysis.analyze_transcript` with the
organization's trackers and the call's date, `call_options`), and its brief is added to the stored
analysis; nothing is transcribed again and nothing else in the analysis changes. With
`TALKTRACK_LLM_URL` set the brief is worded too, as the job does (`llm_client.add_wording`).

Each call is read, built and stored on its own (`service.domain.analyses.store_brief`: one
transaction, only while the row is still the one read), so a call whose stored data cannot be read
is reported and skipped and never stops the others, and a second run finds nothing left to do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models import Call, CallResult
from service.core.config import Settings
from service.core.db import get_engine
from service.domain.analyses import store_brief
from service.domain.briefs import calls_without_brief
from service.domain.org_definitions import org_trackers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one call: `items` in its new brief, or why it was skipped (`error`)."""

    call_id: str
    org_id: str | None
    items: int = 0
    error: str | None = None


@dataclass
class BackfillRun:
    """The calls a run found (`total`) and what happened to each (`outcomes`, in order)."""

    total: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is None]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]


class SkipCall(Exception):
    """A call that cannot be given a brief; the message says why."""


def find_calls(settings: Settings, org_id: str | None = None, limit: int | None = None) -> list[str]:
    """The ids of done calls without a brief, oldest first (`briefs.calls_without_brief`)."""
    with Session(get_engine(settings)) as session:
        return calls_without_brief(session, org_id, limit)


def build_missing_brief(session: Session, call: Call, stored: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The stored analysis JSON with the brief the analysis job would have built for it. A brief the
    analysis JSON already carries (its column alone was empty) is kept as it is."""
    from nlp.analysis import CallAnalysis, analyze_transcript
    from service.analysis.call_options import call_date_for

    if isinstance(stored.get("brief"), dict):
        return stored
    analysis = CallAnalysis.from_dict(stored)  # TranscriptParseError: not an analysis
    call_date, source = call_date_for(call)
    fresh = analyze_transcript(analysis.transcript, trackers=org_trackers(session, call.org_id),
                               call_date=call_date, call_date_source=source)
    analysis.brief = fresh.brief
    if settings.llm_url:  # the optional generated wording, as the job adds it; never fails the call
        from service.analysis.llm_client import add_wording

        add_wording(settings, analysis, call.id)
    if analysis.brief is None:
        raise SkipCall("the language stage made no brief")
    return {**stored, "brief": analysis.brief.to_dict()}


def backfill_call(settings: Settings, call_id: str) -> Outcome:
    """Build and store one call's brief; an `Outcome` with `error` when it could not (nothing is
    written then)."""
    org_id: str | None = None
    try:
        with Session(get_engine(settings), expire_on_commit=False) as session:
            call = session.get(Call, call_id)
            stored_json = session.exec(select(CallResult.analysis_json)
                                       .where(col(CallResult.call_id) == call_id)).first()
            if call is None or stored_json is None or call.status != "done":
                raise SkipCall("the call or its analysis was deleted meanwhile")
            org_id = call.org_id
            try:
                stored = json.loads(stored_json)
            except ValueError as exc:
                raise SkipCall(f"its stored analysis is not JSON ({exc})") from None
            if not isinstance(stored, dict):
                raise SkipCall("its stored analysis is not a JSON object")
            analysis = build_missing_brief(session, call, stored, settings)
            session.rollback()  # end the read transaction: the write below is a transaction of its own
            if not store_brief(session, call, stored_json, analysis):
                raise SkipCall("the call changed while its brief was built (analysed again, relabelled or "
                               "deleted); run the command again")
            items = analysis["brief"].get("items") or []
            return Outcome(call_id, org_id, items=len(items))
    except SkipCall as exc:
        return Outcome(call_id, org_id, error=str(exc))
    except Exception as exc:  # bad stored data of any kind: report it, go on with the next call
        log.debug("brief of call %s not built", call_id, exc_info=True)
        return Outcome(call_id, org_id, error=f"{type(exc).__name__}: {exc}")


def backfill_briefs(settings: Settings, org_id: str | None = None, limit: int | None = None,
                    on_call: Callable[[int, int, Outcome], None] | None = None) -> BackfillRun:
    """Give every done call without a brief (of `org_id`, at most `limit`) its brief, one call at a
    time; `on_call(n, total, outcome)` after each."""
    ids = find_calls(settings, org_id, limit)
    run = BackfillRun(total=len(ids))
    for n, call_id in enumerate(ids, start=1):
        outcome = backfill_call(settings, call_id)
        run.outcomes.append(outcome)
        if on_call is not None:
            on_call(n, run.total, outcome)
    return run


__all__ = ["BackfillRun", "Outcome", "backfill_briefs", "backfill_call", "build_missing_brief", "find_calls"]
