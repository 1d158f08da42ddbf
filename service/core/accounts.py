"""Bootstrapping the access model: organizations, teams, users, API keys (used by `talktrack admin`
and by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import KEY_ROLES, USER_ROLES, ApiKey, Organization, Team, User
from models.base import utcnow
from service.core.access import key_role_for
from service.core.i18n import N_
from service.core.key_revocations import KeyRevocations
from service.core.security import generate_api_key, hash_api_key, key_display_prefix
from transcription.errors import TalktrackError


class AccountError(TalktrackError):
    """An admin command named something that does not exist or does not fit together."""


def create_org(session: Session, name: str) -> Organization:
    if not name.strip():
        raise AccountError(N_("the organization needs a name"))
    org = Organization(name=name.strip())
    session.add(org)
    session.commit()
    return org


def create_team(session: Session, org_id: str, name: str) -> Team:
    if session.get(Organization, org_id) is None:
        raise AccountError(N_("no organization with id %(id)s", id=org_id))
    team = Team(org_id=org_id, name=name.strip())
    session.add(team)
    session.commit()
    return team


def create_user(session: Session, org_id: str, name: str, team_id: str | None = None,
                email: str | None = None, role: str = "rep") -> User:
    if role not in USER_ROLES:
        raise AccountError(N_("a user's role is one of %(roles)s", roles=", ".join(USER_ROLES)))
    email = normalise_email(email)
    if email is not None and session.exec(select(User).where(col(User.email) == email)).first() is not None:
        raise AccountError(N_("a user with e-mail %(email)s already exists", email=email))
    if not name.strip():
        raise AccountError(N_("the user needs a name"))
    if session.get(Organization, org_id) is None:
        raise AccountError(N_("no organization with id %(id)s", id=org_id))
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.org_id != org_id:
            raise AccountError(N_("no team with id %(team)s in organization %(org)s", team=team_id, org=org_id))
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
        raise AccountError(N_("%(email)r is not an e-mail address", email=email))
    return email


def user_by_email(session: Session, email: str) -> User:
    found = session.exec(select(User).where(col(User.email) == normalise_email(email))).first()
    if found is None:
        raise AccountError(N_("no user with e-mail %(email)s", email=email))
    return found


@dataclass(frozen=True)
class CreatedKey:
    row: ApiKey
    secret: str  # the only time the key exists outside its owner's hands


def create_key(session: Session, org_id: str, role: str, user_id: str | None = None,
               name: str | None = None, rate_limit_per_minute: int | None = None) -> CreatedKey:
    if role not in KEY_ROLES:
        raise AccountError(N_("role must be one of %(roles)s", roles=", ".join(KEY_ROLES)))
    if session.get(Organization, org_id) is None:
        raise AccountError(N_("no organization with id %(id)s", id=org_id))
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or user.org_id != org_id:
            raise AccountError(N_("no user with id %(user)s in organization %(org)s", user=user_id, org=org_id))
        if key_role_for(role, user.role) != role:  # it would act with less: say so now
            if role == "integration":
                raise AccountError(N_("a key of %(name)s may not reach further than their role (%(role)s): an "
                                      "integration key needs an admin, or no person", name=user.name, role=user.role))
            raise AccountError(N_("a key of %(name)s may not reach further than their role (%(role)s): give it "
                                  "the role %(role)s, or change theirs first", name=user.name, role=user.role))
    if role in ("rep", "coach") and user_id is None:
        raise AccountError(N_("a %(role)s key belongs to a person: pass --user USER_ID", role=role))
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
        raise AccountError(N_("no API key with id %(id)s", id=key_id))
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()
    revocations.announce()
    return row
