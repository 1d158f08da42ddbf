"""`talktrack admin backfill-briefs`: build the brief of every done call analysed before briefs
existed, from its stored transcript (`service.analysis.brief_backfill`; docs/brief.md). Prints one
line per call (n of total, the call's id) and a summary; a call that cannot be read is reported on
stderr and skipped. Recorded in the audit trail, one event per organization, as done by
`cli:<os user>`."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from service.core.errors import Invalid


def register_briefs(sub: Any) -> None:
    p = sub.add_parser(
        "backfill-briefs", help="build the briefs of calls analysed before briefs existed",
        description="Finds done calls whose stored analysis has no brief and builds it from the stored transcript, "
                    "as an analysis does today (the language stage runs again; nothing is transcribed again), "
                    "then stores it and adds its kinds to the search index. One call at a time: a call whose "
                    "stored data cannot be read is reported and skipped. Running it again does nothing more. "
                    "Exit status 1 when a call was skipped.")
    p.add_argument("--org", metavar="ORG_ID", help="only this organization's calls (default: every organization)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N calls, oldest first")
    p.add_argument("--dry-run", action="store_true", help="only count the calls without a brief; write nothing")
    p.set_defaults(handler=_backfill_briefs)


def _backfill_briefs(args: argparse.Namespace) -> int:
    from models import Organization
    from service.analysis.brief_backfill import Outcome, backfill_briefs, find_calls
    from service.core.audit import Actor, record
    from service.core.config import get_settings
    from service.core.db import run_migrations, session_scope

    if args.limit is not None and args.limit < 1:
        raise Invalid(f"--limit: give a number of calls of 1 or more, not {args.limit}")
    settings = get_settings()
    run_migrations(settings)
    if args.org:
        with session_scope(settings) as s:
            if s.get(Organization, args.org) is None:
                raise Invalid(f"no organization with id {args.org}")
    where = f" in organization {args.org}" if args.org else ""
    if args.dry_run:
        n = len(find_calls(settings, args.org, args.limit))
        print(f"dry run: {n} done call(s){where} have no brief"
              + (f" (counting at most {args.limit})" if args.limit is not None else "") + "; nothing was written")
        return 0

    done: Counter[str] = Counter()  # organization id -> briefs built (the audit events' counts)
    failed: Counter[str] = Counter()

    def progress(n: int, total: int, outcome: Outcome) -> None:
        if outcome.error is None:
            done[outcome.org_id or ""] += 1
            print(f"{n} of {total}  {outcome.call_id}  brief with {outcome.items} item(s)", flush=True)
        else:
            failed[outcome.org_id or ""] += 1
            print(f"{n} of {total}  {outcome.call_id}  skipped: {outcome.error}", file=sys.stderr, flush=True)

    try:
        total = backfill_briefs(settings, args.org, args.limit, on_call=progress).total
    finally:  # an interrupted run is recorded too, with what it did
        with session_scope(settings) as s:
            for org_id in sorted((set(done) | set(failed)) - {""}):
                record(s, "brief.backfill", org_id=org_id, actor=Actor.operator(),
                       detail={"calls": done[org_id], "skipped": failed[org_id]})
    skipped = sum(failed.values())
    if total == 0:
        print(f"no done call{where} lacks a brief; nothing to do")
    else:
        print(f"built {sum(done.values())} brief(s) of {total} call(s){where}"
              + (f"; {skipped} skipped (see above), run again after fixing them" if skipped else ""))
    return 1 if skipped else 0
