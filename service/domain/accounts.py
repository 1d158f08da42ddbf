"""The organization's people, teams and API keys, managed by its admins (`org.manage`).

Each function takes the acting `Principal` and works only inside the principal's organization:
another organization's user, team or key is answered exactly like one that does not exist
(NotFound). Creating rows reuses `service.core.accounts` (also behind `talktrack admin`), whose
`AccountError`s become `Invalid` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from models import USER_ROLES, ApiKey, Organization, Team, User, WebSession
from models.base import utcnow
from service.core import accounts as core
from service.core.access import Principal, require
from service.core.audit import Actor, record
from service.core.errors import Conflict, Invalid, NotFound
from service.core.i18n import N_
from service.core.key_revocations import KeyRevocations
from service.core.sessions import create_invite

T = TypeVar("T")


def _checked(make: Callable[[], T]) -> T:
    """Runs a `service.core.accounts` function, turning its AccountError into Invalid."""
    try:
        return make()
    except core.AccountError as exc:
        raise Invalid(exc.args[0]) from exc  # its text, marked for translation


@dataclass(frozen=True)
class UserRow:
    user: User
    team_name: str | None
    can_sign_in: bool  # has a password and is not disabled


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    user_name: str | None


def org_user(session: Session, principal: Principal, user_id: str) -> User:
    require(principal, "org.manage")
    user = session.get(User, user_id)
    if user is None or user.org_id != principal.org_id:
        raise NotFound(N_("user not found"))
    return user


def _org_team(session: Session, principal: Principal, team_id: str | None) -> str | None:
    if not team_id:
        return None
    team = session.get(Team, team_id)
    if team is None or team.org_id != principal.org_id:
        raise NotFound(N_("team not found"))
    return team.id


def list_teams(session: Session, principal: Principal) -> list[Team]:
    require(principal, "org.manage")
    return list(session.exec(select(Team).where(col(Team.org_id) == principal.org_id).order_by(col(Team.name))).all())


def list_users(session: Session, principal: Principal) -> list[UserRow]:
    require(principal, "org.manage")
    teams = {t.id: t.name for t in list_teams(session, principal)}
    users = session.exec(select(User).where(col(User.org_id) == principal.org_id)
                         .order_by(col(User.disabled), col(User.name))).all()
    return [UserRow(u, teams.get(u.team_id) if u.team_id else None, u.password_hash is not None and not u.disabled)
            for u in users]


def add_team(session: Session, principal: Principal, name: str) -> Team:
    require(principal, "org.manage")
    name = name.strip()
    if not name:
        raise Invalid(N_("the team needs a name"))
    if len(name) > 200:
        raise Invalid(N_("a team name has at most 200 characters"))
    taken = session.exec(select(Team.id).where(col(Team.org_id) == principal.org_id,
                                               func.lower(col(Team.name)) == name.lower())).first()
    if taken is not None:
        raise Invalid(N_("there is already a team called %(name)r", name=name))
    return _checked(lambda: core.create_team(session, principal.org_id, name))


def add_user(session: Session, principal: Principal, name: str, email: str | None, role: str,
             team_id: str | None) -> User:
    require(principal, "org.manage")
    if len(name.strip()) > 200:
        raise Invalid(N_("a name has at most 200 characters"))
    team = _org_team(session, principal, team_id)
    user = _checked(lambda: core.create_user(session, principal.org_id, name, team_id=team, email=email, role=role))
    record(session, "user.create", org_id=principal.org_id, actor=Actor.of(principal), target_kind="user",
           target_id=user.id, detail={"role": user.role, "team_id": user.team_id})
    return user


def _enabled_admins(session: Session, org_id: str) -> int:
    return int(session.exec(select(func.count()).select_from(User).where(
        col(User.org_id) == org_id, col(User.role) == "admin", col(User.disabled).is_(False))).one())


def _lock_admins(session: Session, principal: Principal, user: User) -> None:
    """Serialises the changes to an organization's people, then reads `user` and the acting admin
    again: what the rules below check is then what the change is written over.

    The lock is a write to the organization's row, the first statement of the transaction, held
    until it commits or rolls back. PostgreSQL: a row lock (FOR NO KEY UPDATE, so rows that merely
    refer to the organization are still inserted meanwhile); a second change waits for it, and its
    next statements read what the first committed (READ COMMITTED). SQLite: the write makes this
    transaction the database's one writer, reading the newest data, until it ends."""
    session.exec(update(Organization).where(col(Organization.id) == principal.org_id)
                 .values(name=Organization.name))
    session.refresh(user)
    if principal.user_id is not None:
        actor = session.get(User, principal.user_id, populate_existing=True)
        if actor is None or actor.disabled or actor.role != "admin":
            raise Conflict(N_("your admin role was changed meanwhile (by another admin): reload the page"))


def _keep_an_admin(session: Session, principal: Principal, user: User, new_role: str, new_disabled: bool) -> None:
    """The organization keeps at least one enabled admin, so nobody locks everyone out. Checked
    under `_lock_admins`, so two admins demoting or disabling each other at the same moment cannot
    both pass the check: the second sees the first's change and is refused."""
    _lock_admins(session, principal, user)
    was_admin = user.role == "admin" and not user.disabled
    stays_admin = new_role == "admin" and not new_disabled
    if was_admin and not stays_admin and _enabled_admins(session, user.org_id) <= 1:
        raise Invalid(N_("%(name)s is the organization's only admin: make someone else admin first", name=user.name))


# How far a role sees: a personal API key may not see further than its person's role.
_REACH = {"rep": 0, "coach": 1, "admin": 2, "integration": 2}


def _revoke_keys(session: Session, user_id: str, above_role: str | None = None) -> list[str]:
    """Revoke the user's active keys (only those reaching further than `above_role`, if given);
    returns their ids."""
    revoked = []
    for key in session.exec(select(ApiKey).where(col(ApiKey.user_id) == user_id,
                                                 col(ApiKey.revoked_at).is_(None))).all():
        if above_role is None or _REACH.get(key.role, 2) > _REACH[above_role]:
            key.revoked_at = utcnow()
            session.add(key)
            revoked.append(key.id)
    return revoked


def update_user(session: Session, principal: Principal, user_id: str, role: str, team_id: str | None) -> User:
    """Change a user's role and team (a coach sees their team's calls, a rep their own). Their API
    keys that reach further than the new role are revoked (a demoted coach's coach key)."""
    user = org_user(session, principal, user_id)
    if role not in USER_ROLES:
        raise Invalid(N_("a user's role is one of %(roles)s", roles=", ".join(USER_ROLES)))
    team = _org_team(session, principal, team_id)
    _keep_an_admin(session, principal, user, role, user.disabled)
    before: dict[str, list[str | None]] = {"role": [user.role, role], "team_id": [user.team_id, team]}
    changed = user.role != role or user.team_id != team
    user.role, user.team_id = role, team
    session.add(user)
    revoked = _revoke_keys(session, user.id, above_role=role)
    if changed or revoked:
        record(session, "user.role", org_id=principal.org_id, actor=Actor.of(principal), target_kind="user",
               target_id=user.id, detail={**before, "keys_revoked": revoked}, commit=False)
    session.commit()
    return user


def set_disabled(session: Session, principal: Principal, user_id: str, disabled: bool) -> User:
    """Disable or enable a user. Disabling signs them out everywhere and revokes their API keys
    (enabling again does not bring the keys back: create new ones)."""
    user = org_user(session, principal, user_id)
    if disabled and user.id == principal.user_id:
        raise Invalid(N_("you cannot disable yourself: ask another admin"))
    _keep_an_admin(session, principal, user, user.role, disabled)
    user.disabled = disabled
    session.add(user)
    revoked: list[str] = []
    if disabled:
        session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))
        revoked = _revoke_keys(session, user.id)
    record(session, "user.disable" if disabled else "user.enable", org_id=principal.org_id, actor=Actor.of(principal),
           target_kind="user", target_id=user.id, detail={"keys_revoked": revoked} if revoked else {}, commit=False)
    session.commit()
    return user


def invite_link(session: Session, principal: Principal, user_id: str, hours: float, public_url: str) -> str:
    """A one-time link with which the user sets their password (valid `hours`)."""
    user = org_user(session, principal, user_id)
    if user.disabled:
        raise Invalid(N_("%(name)s is disabled: enable them first", name=user.name))
    if not user.email:
        raise Invalid(N_("%(name)s has no e-mail address to sign in with", name=user.name))
    token = create_invite(session, user, hours)
    record(session, "user.invite", org_id=principal.org_id, actor=Actor.of(principal), target_kind="user",
           target_id=user.id)
    return f"{public_url.rstrip('/')}/invite/{token}"


def list_keys(session: Session, principal: Principal) -> list[KeyRow]:
    require(principal, "org.manage")
    rows = session.exec(select(ApiKey, User.name).join(User, col(User.id) == col(ApiKey.user_id), isouter=True)
                        .where(col(ApiKey.org_id) == principal.org_id)
                        .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc())).all()
    return [KeyRow(key, name) for key, name in rows]


def add_key(session: Session, principal: Principal, role: str, user_id: str | None,
            name: str | None) -> core.CreatedKey:
    """A new key; its secret is in the result and nowhere else (only its hash is stored)."""
    require(principal, "org.manage")
    if name is not None and len(name) > 200:
        raise Invalid(N_("a key's label has at most 200 characters"))
    if user_id:
        user = org_user(session, principal, user_id)
        if user.disabled:
            raise Invalid(N_("%(name)s is disabled: a key for them would not be used", name=user.name))
    created = _checked(lambda: core.create_key(session, principal.org_id, role, user_id=user_id or None,
                                               name=name or None))
    record(session, "key.create", org_id=principal.org_id, actor=Actor.of(principal), target_kind="key",
           target_id=created.row.id, detail={"role": created.row.role, "user_id": created.row.user_id})
    return created


def revoke_key(session: Session, principal: Principal, key_id: str, revocations: KeyRevocations) -> ApiKey:
    require(principal, "org.manage")
    key = session.get(ApiKey, key_id)
    if key is None or key.org_id != principal.org_id:
        raise NotFound(N_("API key not found"))
    if key.revoked_at is not None:
        return key
    revoked = _checked(lambda: core.revoke_key(session, key.id, revocations))
    record(session, "key.revoke", org_id=principal.org_id, actor=Actor.of(principal), target_kind="key",
           target_id=key.id, detail={"role": key.role, "user_id": key.user_id})
    return revoked


@dataclass(frozen=True)
class Overview:
    users: int
    disabled_users: int
    teams: int
    active_keys: int


def overview(session: Session, principal: Principal) -> Overview:
    require(principal, "org.manage")
    org = principal.org_id

    def count(q: object) -> int:
        return int(session.exec(q).one())  # type: ignore[call-overload]

    return Overview(
        users=count(select(func.count()).select_from(User).where(col(User.org_id) == org)),
        disabled_users=count(select(func.count()).select_from(User).where(col(User.org_id) == org,
                                                                           col(User.disabled).is_(True))),
        teams=count(select(func.count()).select_from(Team).where(col(Team.org_id) == org)),
        active_keys=count(select(func.count()).select_from(ApiKey).where(col(ApiKey.org_id) == org,
                                                                          col(ApiKey.revoked_at).is_(None))),
    )

