"""Passwords, browser sessions and one-time invites (the web app's sign-in).

Passwords are hashed with argon2id through pwdlib. A session is a random token in an HttpOnly
cookie; the database keeps only its SHA-256 (like API keys), its expiry and its CSRF token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from models import Invite, User, WebSession
from models.base import aware, utcnow
from service.core.access import Principal
from service.core.security import hash_api_key
from transcription.errors import TalktrackError

SESSION_COOKIE = "tt_session"
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHash.recommended()  # argon2id with pwdlib's current parameters
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PasswordError(TalktrackError):
    """A password that may not be set (too short, too long)."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise PasswordError("a password may have at most 1024 characters")
    return _hasher.hash(password)


def check_password(session: Session, email: str, password: str) -> User | None:
    """The enabled user with this email and password, else None (same work either way)."""
    user = session.exec(select(User).where(col(User.email) == email.strip().lower())).first()
    if user is None or user.password_hash is None or user.disabled:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    ok, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not ok:
        return None
    if new_hash is not None:  # pwdlib's parameters moved on: store the stronger hash
        user.password_hash = new_hash
        session.add(user)
        session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    _replace_password(session, user, hash_password(password))
    session.commit()


def _replace_password(session: Session, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    session.add(user)
    # A new password signs every browser out.
    session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))


@dataclass(frozen=True)
class StartedSession:
    token: str  # goes into the cookie; never stored
    row: WebSession


def start_session(session: Session, user: User, hours: float, ip: str | None = None) -> StartedSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(user_id=user.id, token_hash=hash_api_key(token), csrf_token=secrets.token_urlsafe(32),
                     expires_at=now + timedelta(hours=hours), ip=(ip or "")[:64] or None)
    session.add(row)
    # Expired sessions of anyone are swept here (cheap: indexed on expires_at).
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < now))
    session.commit()
    return StartedSession(token=token, row=row)


@dataclass(frozen=True)
class ResolvedSession:
    session_id: str
    csrf_token: str
    principal: Principal
    user: User


def resolve_session(engine: Engine, token: str | None) -> ResolvedSession | None:
    """The live session behind a cookie value, or None (unknown, expired, or user disabled)."""
    if not token or len(token) > 200:
        return None
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(select(WebSession).where(col(WebSession.token_hash) == hash_api_key(token))).first()
        if row is None or (aware(row.expires_at) or utcnow()) <= utcnow():
            return None
        user = session.get(User, row.user_id)
        if user is None or user.disabled:
            return None
        principal = Principal(key_id=row.id, org_id=user.org_id, role=user.role, user_id=user.id,
                              team_id=user.team_id, via_session=True)
        return ResolvedSession(session_id=row.id, csrf_token=row.csrf_token, principal=principal, user=user)


def end_session(engine: Engine, session_id: str) -> None:
    with Session(engine) as session:
        session.execute(delete(WebSession).where(col(WebSession.id) == session_id))
        session.commit()


def create_invite(session: Session, user: User, hours: float) -> str:
    """A one-time token with which `user` sets their password at `/invite/{token}`."""
    token = secrets.token_urlsafe(32)
    session.add(Invite(user_id=user.id, token_hash=hash_api_key(token),
                       expires_at=utcnow() + timedelta(hours=hours)))
    session.commit()
    return token


def invited_user(session: Session, token: str) -> tuple[Invite, User] | None:
    """The unused, unexpired invite behind a token and its user, else None."""
    if not token or len(token) > 200:
        return None
    invite = session.exec(select(Invite).where(col(Invite.token_hash) == hash_api_key(token))).first()
    if invite is None or invite.used_at is not None or (aware(invite.expires_at) or utcnow()) <= utcnow():
        return None
    user = session.get(User, invite.user_id)
    return (invite, user) if user is not None and not user.disabled else None


def accept_invite(session: Session, token: str, password: str) -> User | None:
    """Sets the password of the invited user and uses the invite up; None when it is not valid
    (unknown, expired, or used already). Raises `PasswordError` for a password that may not be set.

    One-time for real: the invite is used up by one conditional write, `UPDATE invite SET used_at
    WHERE id AND used_at IS NULL`, and only the request whose write changed the row (rowcount 1)
    sets the password, in the same transaction. Of requests racing with one token, PostgreSQL makes
    the others wait on the row and then find it used; SQLite runs one writer at a time."""
    found = invited_user(session, token)
    if found is None:
        return None
    invite, user = found
    new_hash = hash_password(password)  # argon2 takes a while: before the transaction, not inside it
    used = session.exec(update(Invite).where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
                        .values(used_at=utcnow()))
    if used.rowcount != 1:
        session.rollback()
        return None
    _replace_password(session, user, new_hash)
    session.commit()
    return user
