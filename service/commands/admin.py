"""`talktrack admin ...`: create organizations, teams, users and API keys. Each sub-command prints
what it created and, alone on its last line, the new id (or the key) so scripts can capture it."""

from __future__ import annotations

import argparse
from typing import Any

from models import KEY_ROLES, USER_ROLES


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "admin", help=summary,
        description="Manage the service's accounts in the database named by TALKTRACK_DATABASE_URL "
                    "(default: SQLite in TALKTRACK_DATA_DIR). The last output line is the id or key alone.")
    sub = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    p = sub.add_parser("create-org", help="create an organization; prints its id")
    p.add_argument("name", metavar="NAME", help="the organization's name")
    p.set_defaults(handler=_create_org)

    p = sub.add_parser("create-team", help="create a team in an organization; prints its id")
    p.add_argument("--org", required=True, metavar="ORG_ID", help="organization id")
    p.add_argument("name", metavar="NAME", help="the team's name")
    p.set_defaults(handler=_create_team)

    p = sub.add_parser("create-user", help="create a user (a rep, a coach or an admin); prints its id")
    p.add_argument("--org", required=True, metavar="ORG_ID", help="organization id")
    p.add_argument("--name", required=True, help="display name (as it appears in transcripts)")
    p.add_argument("--team", metavar="TEAM_ID", help="team id (coaches see their team's calls)")
    p.add_argument("--email", help="e-mail address (the web app's sign-in name)")
    p.add_argument("--role", choices=USER_ROLES, default="rep",
                   help="what the person sees in the web app: rep (own calls), coach (the team's), "
                        "admin (the organization's); default rep")
    p.set_defaults(handler=_create_user)

    p = sub.add_parser("set-password", help="set a user's web sign-in password, read from stdin")
    p.add_argument("--email", required=True, help="the user's e-mail address")
    p.set_defaults(handler=_set_password)

    p = sub.add_parser("invite", help="print a one-time link with which a user sets their own password")
    p.add_argument("--email", required=True, help="the user's e-mail address")
    p.set_defaults(handler=_invite)

    p = sub.add_parser("create-key", help="create an API key; prints the key once (only its hash is stored)")
    p.add_argument("--org", required=True, metavar="ORG_ID", help="organization id")
    p.add_argument("--role", required=True, choices=KEY_ROLES,
                   help="admin: the whole organization; coach: the user's team; rep: the user's own calls; "
                        "integration: upload and read within the organization")
    p.add_argument("--user", metavar="USER_ID", help="the person the key belongs to (required for rep and coach)")
    p.add_argument("--name", help="a label for the key")
    p.add_argument("--rate-limit", type=int, metavar="PER_MINUTE",
                   help="this key's request limit per minute (default: TALKTRACK_RATE_LIMIT_PER_MINUTE)")
    p.set_defaults(handler=_create_key)

    p = sub.add_parser("revoke-key", help="revoke an API key, named by its id or by the key itself")
    p.add_argument("key_id", metavar="KEY_ID_OR_KEY",
                   help="the id printed by create-key, or the key (tt_...) when the id was not kept")
    p.set_defaults(handler=_revoke_key)

    from service.commands.admin_privacy import register_privacy

    register_privacy(sub)

    from service.commands.admin_briefs import register_briefs

    register_briefs(sub)


def _session() -> Any:
    from service.core.db import run_migrations, session_scope

    run_migrations()
    return session_scope()


def _record(session: Any, action: str, org_id: str, kind: str, target_id: str, detail: dict[str, Any]) -> None:
    """The command's audit event, by `cli:<os user>` (`service.core.audit`)."""
    from service.core.audit import Actor, record

    record(session, action, org_id=org_id, actor=Actor.operator(), target_kind=kind, target_id=target_id,
           detail=detail)


def _create_org(args: argparse.Namespace) -> int:
    from service.core.accounts import create_org

    with _session() as s:
        org = create_org(s, args.name)
    print(f"created organization {org.name!r}")
    print(org.id)
    return 0


def _create_team(args: argparse.Namespace) -> int:
    from service.core.accounts import create_team

    with _session() as s:
        team = create_team(s, args.org, args.name)
    print(f"created team {team.name!r} in organization {team.org_id}")
    print(team.id)
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from service.core.accounts import create_user

    with _session() as s:
        user = create_user(s, args.org, args.name, team_id=args.team, email=args.email, role=args.role)
        _record(s, "user.create", user.org_id, "user", user.id, {"role": user.role, "team_id": user.team_id})
    print(f"created {user.role} {user.name!r} in organization {user.org_id}"
          + (f", team {user.team_id}" if user.team_id else ""))
    print(user.id)
    return 0


def _create_key(args: argparse.Namespace) -> int:
    from service.core.accounts import create_key

    with _session() as s:
        created = create_key(s, args.org, args.role, user_id=args.user, name=args.name,
                             rate_limit_per_minute=args.rate_limit)
        _record(s, "key.create", created.row.org_id, "key", created.row.id,
                {"role": created.row.role, "user_id": created.row.user_id})
    print(f"created {created.row.role} key {created.row.id} ({created.row.prefix}...) in organization "
          f"{created.row.org_id}; it is shown only now, store it safely:")
    print(created.secret)
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from models import ApiKey
    from service.core.accounts import revoke_key
    from service.core.config import get_settings
    from service.core.key_revocations import KeyRevocations
    from service.core.security import hash_api_key

    with _session() as s:
        key_id = args.key_id
        by_secret = s.exec(select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(key_id))).first()
        row = revoke_key(s, by_secret or key_id, KeyRevocations(get_settings()))
        _record(s, "key.revoke", row.org_id, "key", row.id, {"role": row.role, "user_id": row.user_id})
    print(f"revoked key {row.id}")
    print(row.id)
    return 0


def _set_password(args: argparse.Namespace) -> int:
    import sys

    from service.core.accounts import user_by_email
    from service.core.sessions import set_password

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("new password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _session() as s:
        user = user_by_email(s, args.email)
        set_password(s, user, password)
        _record(s, "user.password", user.org_id, "user", user.id, {})
    print(f"password set for {user.email}; their other browser sessions were signed out")
    print(user.id)
    return 0


def _invite(args: argparse.Namespace) -> int:
    from service.core.accounts import user_by_email
    from service.core.config import get_settings
    from service.core.sessions import create_invite

    settings = get_settings()
    with _session() as s:
        user = user_by_email(s, args.email)
        token = create_invite(s, user, settings.invite_hours)
        _record(s, "user.invite", user.org_id, "user", user.id, {})
    print(f"one-time link for {user.email}, valid {settings.invite_hours:g} hours:")
    print(f"{settings.public_url.rstrip('/')}/invite/{token}")
    return 0
