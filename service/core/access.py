"""The access policy: one module answers "may principal P see or change row R".

Every surface asks here (the JSON API's dependencies, the raw-SQL suggestions read, the live
events check, the web pages), so a rule is written once:

- **Who sees which calls.** Admin and integration principals: their organization's. A coach: their
  team's (a coach without a team: only calls where they are the rep). A rep: their own. Another
  organization's call, or one outside the scope, is answered exactly like a call that does not
  exist (404), so ids reveal nothing.
- **Who may do what** (`PERMISSIONS`, checked by `require`): an action is allowed to a set of
  roles, and only on rows the principal can already see.
- **A key never exceeds its person** (`key_role_for`): a key bound to a user acts with the smaller
  of its own role and the user's current role, and with the user's current team.
- **Names follow the same scope** (`person_condition`): lists of people (the library's filter bar,
  the trends pages) name only those whose calls the principal may see.

The rule comes in three forms that must agree (tests check they do): an ORM condition
(`call_condition`), prebuilt SQL for hot paths (`call_sql`), and an in-memory check on a row's
owner fields (`may_see_call`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, TextClause, and_, false, text
from sqlmodel import col

from models import Call, User
from service.core.errors import Forbidden

Scope = Literal["org", "team", "user", "none"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: an API key or a signed-in person (`key_id` is then the browser session's id),
    with their organization, role and (for people) user and team."""

    key_id: str
    org_id: str
    role: str
    user_id: str | None = None
    team_id: str | None = None
    rate_limit_per_minute: int | None = None
    via_session: bool = False  # a signed-in browser, not an API key


@dataclass(frozen=True, slots=True)
class CallOwner:
    """The fields of a call that decide who may see it (a stored call or a live one)."""

    org_id: str
    team_id: str | None
    rep_user_id: str | None


# Each action and the roles that may perform it (on rows they can see).
PERMISSIONS: dict[str, frozenset[str]] = {
    "call.upload": frozenset({"admin", "coach", "rep", "integration"}),
    "call.delete": frozenset({"admin", "coach", "rep"}),
    "call.relabel": frozenset({"admin", "coach", "rep"}),
    "outcome.write": frozenset({"admin", "coach", "rep", "integration"}),  # a rep: own calls only
    "outcome.read": frozenset({"admin", "coach", "integration"}),
    "scorecard.write": frozenset({"admin", "coach"}),
    "rubric.write": frozenset({"admin", "coach"}),
    "insights.read": frozenset({"admin", "coach", "integration"}),
    "definitions.write": frozenset({"admin"}),
    "webhooks.manage": frozenset({"admin", "integration"}),
    "org.manage": frozenset({"admin"}),  # users, teams, API keys
    "retention.manage": frozenset({"admin"}),  # the organization's retention policy
    "data.forget": frozenset({"admin"}),  # delete a call, a deal or everything about a person, with a tombstone
    "audit.read": frozenset({"admin"}),  # the audit trail and the tombstones, and their exports
}


def allowed(principal: Principal, action: str) -> bool:
    """Whether the principal's role may perform `action` (a key of `PERMISSIONS`)."""
    return principal.role in PERMISSIONS[action]


def roles_for(action: str) -> tuple[str, ...]:
    return tuple(sorted(PERMISSIONS[action]))


def require(principal: Principal, action: str) -> None:
    """Forbidden (403) unless the principal's role may perform `action`: the one check every
    surface makes (API dependencies, domain functions, pages)."""
    if not allowed(principal, action):
        raise Forbidden(f"a {principal.role} cannot do this (needs {' or '.join(roles_for(action))})")


# How far a person's role reaches. An integration key reaches as far as an admin but does less.
ROLE_REACH: dict[str, int] = {"rep": 0, "coach": 1, "admin": 2}


def key_role_for(key_role: str, person_role: str) -> str | None:
    """The role a key bound to a person acts with: the smaller of the key's role and the person's
    current one (a coach key of a rep acts as a rep). An integration key does things no person's
    role below admin may do, so it acts only for an admin; for anyone else it is refused (None)."""
    if person_role not in ROLE_REACH:
        return None
    if key_role == "integration":
        return key_role if person_role == "admin" else None
    if key_role not in ROLE_REACH:
        return None
    return key_role if ROLE_REACH[key_role] <= ROLE_REACH[person_role] else person_role


def call_scope_of(principal: Principal) -> Scope:
    """Which calls of the organization the principal sees: all, a team's, one user's, none."""
    if principal.role in ("admin", "integration"):
        return "org"
    if principal.role == "coach" and principal.team_id is not None:
        return "team"
    if principal.role in ("coach", "rep") and principal.user_id is not None:
        return "user"
    return "none"


def call_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the calls this principal may see."""
    in_org = col(Call.org_id) == principal.org_id
    scope = call_scope_of(principal)
    if scope == "org":
        return in_org
    if scope == "team":
        return and_(in_org, col(Call.team_id) == principal.team_id)
    if scope == "user":
        return and_(in_org, col(Call.rep_user_id) == principal.user_id)
    return false()


def may_see_call(principal: Principal, owner: CallOwner) -> bool:
    """The same rule as `call_condition`, on a row already in memory (live calls, pages)."""
    if principal.org_id != owner.org_id:
        return False
    scope = call_scope_of(principal)
    if scope == "org":
        return True
    if scope == "team":
        return owner.team_id == principal.team_id
    if scope == "user":
        return owner.rep_user_id == principal.user_id
    return False


def may_see_rep(principal: Principal, org_id: str, team_id: str | None, user_id: str) -> bool:
    """Whether the principal may look at a person's own pages (their trends): the same rule as
    `may_see_call`, with the person as the calls' rep. A rep: only themselves; a coach: their
    team's people; an admin: anyone in the organization."""
    return may_see_call(principal, CallOwner(org_id, team_id, user_id))


def person_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the people whose names the principal may see: the rule of
    `may_see_rep` (an admin: the organization; a coach: their team; a coach without a team or a
    rep: themselves)."""
    in_org = col(User.org_id) == principal.org_id
    scope = call_scope_of(principal)
    if scope == "org":
        return in_org
    if scope == "team":
        return and_(in_org, col(User.team_id) == principal.team_id)
    if scope == "user":
        return and_(in_org, col(User.id) == principal.user_id)
    return false()


_CALL_SQL: dict[Scope, str] = {
    "org": '"call".org_id = :org_id',
    "team": '"call".org_id = :org_id AND "call".team_id = :team_id',
    "user": '"call".org_id = :org_id AND "call".rep_user_id = :user_id',
    "none": "1 = 0",
}


def call_sql(principal: Principal) -> tuple[str, dict[str, str]]:
    """The same rule as raw SQL over a table aliased `"call"`: (condition, its bound parameters)."""
    scope = call_scope_of(principal)
    params: dict[str, str] = {"org_id": principal.org_id}
    if scope == "team" and principal.team_id is not None:
        params["team_id"] = principal.team_id
    if scope == "user" and principal.user_id is not None:
        params["user_id"] = principal.user_id
    return _CALL_SQL[scope], params


def prebuilt(sql_before_condition: str) -> dict[Scope, TextClause]:
    """Prebuilt statements, one per scope, for a hot path: `sql ... WHERE <other> AND <scope>`."""
    return {scope: text(f"{sql_before_condition} AND {cond}") for scope, cond in _CALL_SQL.items()}

