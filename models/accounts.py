"""Organizations, teams, users and API keys: the access model's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow

KeyRole = Literal["admin", "coach", "rep", "integration"]
KEY_ROLES: tuple[str, ...] = ("admin", "coach", "rep", "integration")
USER_ROLES: tuple[str, ...] = ("admin", "coach", "rep")


class Organization(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    # The spoken language of calls uploaded without one ("auto", "en", "zh", ...); None: English.
    default_language: str | None = Field(default=None, max_length=16)


class Team(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    team_id: str | None = Field(default=None, foreign_key="team.id", index=True, max_length=32)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    # What the person may do in the web app (the same roles as API keys; `integration` is keys only).
    role: str = Field(default="rep", max_length=20)
    password_hash: str | None = Field(default=None, max_length=255)  # argon2id (pwdlib); None: cannot sign in
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # The language the person chose for the web app and their e-mails ("en", "zh_CN"); None: not chosen
    # (the browser's cookie or Accept-Language decides their pages, English their e-mails).
    locale: str | None = Field(default=None, max_length=16)


class ApiKey(SQLModel, table=True):
    """A key's secret is never stored: `key_hash` is its SHA-256, `prefix` its first characters."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    role: str = Field(max_length=20)
    key_hash: str = Field(unique=True, index=True, max_length=64)
    prefix: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    rate_limit_per_minute: int | None = None  # overrides the service-wide limit for this key


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so a
    leaked database does not leak sessions. `csrf_token` is the synchronizer token of its pages."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    ip: str | None = Field(default=None, max_length=64)


class Invite(SQLModel, table=True):
    """A one-time link that lets a user set their password (stored as the token's SHA-256)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
