"""Working together on a call: comments at a moment (threaded one level), the notifications their
@mentions create, and explicit grants that let one more person see one call.

A comment anchors to a moment of its call (`start_s`, and `end_s` for a selected span). A reply
names its thread's first comment in `parent_id`; replies to a reply are refused by the domain. A
deleted comment keeps its row with `deleted_at` set and an empty body, so its replies stay readable
under a "comment deleted" placeholder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow


class CallComment(SQLModel, table=True):
    """One comment on a moment of a call."""

    __tablename__ = "callcomment"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    # The person who wrote it; None for a key of no person (`author_key_id`) or once the person is
    # forgotten (`service.domain.forget`: their comments are blanked, threads stay).
    author_user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    author_key_id: str | None = Field(default=None, max_length=32)
    parent_id: str | None = Field(default=None, foreign_key="callcomment.id", index=True, max_length=32)
    start_s: float = 0.0
    end_s: float | None = None
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None


class Notification(SQLModel, table=True):
    """An in-app notification for one person: today, an @mention in a comment (`kind` "mention")."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    kind: str = Field(default="mention", max_length=20)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    comment_id: str | None = Field(default=None, foreign_key="callcomment.id", index=True, max_length=32)
    actor_user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    at_s: float = 0.0
    excerpt: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    read_at: datetime | None = None


class CallShare(SQLModel, table=True):
    """An explicit grant: `user_id` may see call `call_id` although it is outside their scope."""

    __tablename__ = "callshare"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_callshare_call_user"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    granted_by_user_id: str | None = Field(default=None, foreign_key="user.id", max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
