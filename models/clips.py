"""The coaching library: clips (a span of a call with a title) and playlists (ordered clips for an
audience: the creator's team or the whole organization). Who sees and changes them is the access
policy's (`service.core.access`, "Clips and playlists").

Every row names its call or its clips by a foreign key, so deleting a call (or forgetting a person,
for the rows they made) deletes its clips and their places in playlists with it
(`service.domain.erasure`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow

PlaylistAudience = Literal["team", "organization"]
PLAYLIST_AUDIENCES: tuple[str, ...] = ("team", "organization")


class Clip(SQLModel, table=True):
    """A span of a call (`start_s` < `end_s`, inside the call), made by a person or a key."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    call_id: str = Field(foreign_key="call.id", index=True, max_length=32)
    start_s: float
    end_s: float
    title: str = Field(max_length=300)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by_user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    created_by_key_id: str | None = Field(default=None, max_length=32)  # a key of no person (an admin key)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Playlist(SQLModel, table=True):
    """Ordered clips for an audience: `team` (the creator's team, `team_id`) or `organization`."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    team_id: str | None = Field(default=None, foreign_key="team.id", index=True, max_length=32)
    audience: str = Field(default="team", max_length=16)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by_user_id: str | None = Field(default=None, foreign_key="user.id", index=True, max_length=32)
    created_by_key_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class PlaylistClip(SQLModel, table=True):
    """A clip's place in a playlist (`position` from 0)."""

    __tablename__ = "playlistclip"
    __table_args__ = (UniqueConstraint("playlist_id", "clip_id", name="uq_playlistclip_playlist_clip"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    playlist_id: str = Field(foreign_key="playlist.id", index=True, max_length=32)
    clip_id: str = Field(foreign_key="clip.id", index=True, max_length=32)
    position: int = 0
    added_at: datetime = Field(default_factory=utcnow)
