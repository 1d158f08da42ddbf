"""`talktrack admin forget | retention | audit`: deletion on request, the retention policy and the
audit trail, for whoever runs the server (the same rules as the admin API: `service.domain.forget`,
`.retention`, `.audit_log`). Each is recorded in the audit trail as done by `cli:<os user>`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from service.core.errors import Invalid


def register_privacy(sub: Any) -> None:
    p = sub.add_parser(
        "forget", help="delete a call, a deal's calls, or everything about a person; prints the tombstone's id",
        description="Deletes the objects from the audio store and every row, and leaves a tombstone (ids, kinds "
                    "and counts, no content). A person: their calls, their comments on scorecards, their name as a "
                    "speaker label, their voice profiles, keys, sessions and their user row.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--call", metavar="CALL_ID", help="one call")
    what.add_argument("--deal", metavar="DEAL_ID", help="every call and outcome of a CRM deal (needs --org)")
    what.add_argument("--person", metavar="USER_ID", help="everything about a person")
    p.add_argument("--org", metavar="ORG_ID", help="the organization (needed with --deal)")
    p.set_defaults(handler=_forget)

    p = sub.add_parser("retention", help="show or set an organization's retention policy, or apply the policies now",
                       description="Days a call's recording, and its transcript and analysis, are kept after it was "
                                   "stored; 'forever' keeps them. The server's sweeper applies the policies every "
                                   "TALKTRACK_RETENTION_INTERVAL_S; --apply runs it now.")
    p.add_argument("--org", metavar="ORG_ID", help="the organization (to show or set its policy)")
    p.add_argument("--audio-days", metavar="N|forever", help="keep recordings N days")
    p.add_argument("--analysis-days", metavar="N|forever", help="keep transcripts and analyses N days")
    p.add_argument("--apply", action="store_true", help="apply every organization's policy now")
    p.set_defaults(handler=_retention)

    p = sub.add_parser("audit", help="export an organization's audit trail (CSV or JSON, oldest first)")
    p.add_argument("--org", required=True, metavar="ORG_ID", help="organization id")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    p.add_argument("--action", help="one action (call.view), or a prefix ending in a dot (call.)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="events on or after this day (UTC)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="events before this day (UTC)")
    p.set_defaults(handler=_audit)


def _session() -> Any:
    from service.core.db import run_migrations, session_scope

    run_migrations()
    return session_scope()


def _forget(args: argparse.Namespace) -> int:
    from service.core.audit import Actor
    from service.core.config import get_settings
    from service.domain import forget
    from service.storage import get_store

    store, actor = get_store(get_settings()), Actor.operator()
    with _session() as s:
        if args.call:
            stone = forget.forget_call(s, store, actor, args.call, org_id=args.org)
        elif args.deal:
            stone = forget.forget_deal(s, store, actor, args.deal, org_id=args.org)
        else:
            stone = forget.forget_person(s, store, actor, args.person, org_id=args.org)
    counts = ", ".join(f"{k} {v}" for k, v in stone.counts.items()) or "nothing else"
    print(f"deleted {stone.kind} {stone.subject_id}: {len(stone.call_ids)} call(s); {counts}")
    print(stone.id)
    return 0


def _days(value: str | None, what: str) -> tuple[bool, int | None]:
    """(given, days): 'forever' is None; a number must be a whole number of days."""
    if value is None:
        return False, None
    if value.strip().lower() == "forever":
        return True, None
    try:
        return True, int(value)
    except ValueError:
        raise Invalid(f"--{what}: give a whole number of days or 'forever', not {value!r}") from None


def _show(days: int | None) -> str:
    return "forever" if days is None else f"{days} days"


def _retention(args: argparse.Namespace) -> int:
    from service.core.audit import Actor
    from service.core.config import get_settings
    from service.domain import retention
    from service.jobs.retention import run_retention

    if args.apply:
        run = run_retention(get_settings())
        print(f"deleted {sum(map(len, run.audio_calls.values()))} recording(s) and "
              f"{sum(map(len, run.analysis_calls.values()))} transcript(s) and analyses")
        for error in run.errors:
            print(f"not done yet: {error}", file=sys.stderr)
        return 1 if run.errors else 0
    if not args.org:
        raise Invalid("name the organization (--org ORG_ID), or --apply to apply every policy now")
    audio_given, audio = _days(args.audio_days, "audio-days")
    analysis_given, analysis = _days(args.analysis_days, "analysis-days")
    with _session() as s:
        from models import Organization

        if s.get(Organization, args.org) is None:
            raise Invalid(f"no organization with id {args.org}")
        policy = retention.get_policy(s, args.org)
        if audio_given or analysis_given:
            policy = retention.set_policy(s, args.org, audio if audio_given else policy.audio_days,
                                          analysis if analysis_given else policy.analysis_days, Actor.operator())
    print(f"recordings: {_show(policy.audio_days)}; transcripts and analyses: {_show(policy.analysis_days)}")
    return 0


def _day(value: str | None, flag: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise Invalid(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None


def _audit(args: argparse.Namespace) -> int:
    from service.core.access import Principal
    from service.core.audit import Actor, record
    from service.domain import audit_log

    filters = audit_log.AuditFilters(action=args.action, since=_day(args.since, "--since"),
                                     until=_day(args.until, "--until"))
    operator = Principal(key_id="cli", org_id=args.org, role="admin")
    with _session() as s:
        export = audit_log.export_csv if args.format == "csv" else audit_log.export_json
        for chunk in export(s, operator, filters):
            sys.stdout.write(chunk)
        if args.format == "json":
            sys.stdout.write("\n")
        record(s, "audit.export", org_id=args.org, actor=Actor.operator(), detail={"format": args.format})
    return 0
