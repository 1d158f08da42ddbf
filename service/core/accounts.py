"""Bootstrapping the access model: organizations, teams, users, API keys (used by `talktrack admin`
and by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import KEY_ROLES, USER_ROLES, ApiKey, Organization, Team, User
from models.base import utcnow
from service.core.access import key_role_for
from service.core.key_revocations import KeyRevocations
from service.core.security import generate_api_key, hash_api_key, key_display_prefix
from transcription.errors import TalktrackError


class AccountError(TalktrackError):
    """An admin command named something that does not exist or does not fit together."""


def create_org(session: Session, name: str) -> Organization:
    if not name.strip():
        raise AccountError("the organization needs a name")
    org = Organization(name=name.strip())
    session.add(org)
    session.commit()
    return org


def create_team(session: Session, org_id: str, name: str) -> Team:
    if session.get(Organization, org_id) is None:
        raise AccountError(f"no organization with id {org_id}")
    team = Team(org_id=org_id, name=name.strip())
    session.add(team)
    session.commit()
    return team


def create_user(session: Session, org_id: str, name: str, team_id: str | None = None,
                email: str | None = None, role: str = "rep") -> User:
    if role not in USER_ROLES:
        raise AccountError(f"a user's role is one of {', '.join(USER_ROLES)}")
    email = normalise_email(email)
    if email is not None and session.exec(select(User).where(col(User.email) == email)).first() is not None:
        raise AccountError(f"a user with e-mail {email} already exists")
    if not name.strip():
        raise AccountError("the user needs a name")
    if session.get(Organization, org_id) is None:
        raise AccountError(f"no organization with id {org_id}")
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.org_id != org_id:
            raise AccountError(f"no team with id {team_id} in organization {org_id}")
    user = User(org_id=org_id, team_id=team_id, name=name.strip(), email=email, role=role)
    session.add(user)
    session.commit()
    return user


def normalise_email(email: str | None) -> str | None:
    """E-mail addresses are compared case-insensitively (stored lower-case); None or '' is none."""
    if email is None or not email.strip():
        return None
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise AccountError(f"{email!r} is not an e-mail address")
    return email


def user_by_email(session: Session, email: str) -> User:
    found = session.exec(select(User).where(col(User.email) == normalise_email(email))).first()
    if found is None:
        raise AccountError(f"no user with e-mail {email}")
    return found


@dataclass(frozen=True)
class CreatedKey:
    row: ApiKey
    secret: str  # the only time the key exists outside its owner's hands


def create_key(session: Session, org_id: str, role: str, user_id: str | None = None,
               name: str | None = None, rate_limit_per_minute: int | None = None) -> CreatedKey:
    if role not in KEY_ROLES:
        raise AccountError(f"role must be one of {', '.join(KEY_ROLES)}")
    if session.get(Organization, org_id) is None:
        raise AccountError(f"no organization with id {org_id}")
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or user.org_id != org_id:
            raise AccountError(f"no user with id {user_id} in organization {org_id}")
        if key_role_for(role, user.role) != role:  # it would act with less: say so now
            raise AccountError(f"a key of {user.name} may not reach further than their role ({user.role}): "
                               + ("an integration key needs an admin, or no person"
                                  if role == "integration" else f"give it the role {user.role}, or change theirs first"))
    if role in ("rep", "coach") and user_id is None:
        raise AccountError(f"a {role} key belongs to a person: pass --user USER_ID")
    secret = generate_api_key()
    row = ApiKey(org_id=org_id, user_id=user_id, role=role, key_hash=hash_api_key(secret),
                 prefix=key_display_prefix(secret), name=name, rate_limit_per_minute=rate_limit_per_minute)
    session.add(row)
    session.commit()
    return CreatedKey(row=row, secret=secret)


def revoke_key(session: Session, key_id: str, revocations: KeyRevocations) -> ApiKey:
    """Revoke a key; every API process refuses it from its next request (`revocations`' stamp)."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise AccountError(f"no API key with id {key_id}")
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()
    revocations.announce()
    return row
