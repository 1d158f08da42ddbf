"""Per-organization definitions used by the pipeline: voice profiles (diarization), tracker
definitions and talk-track playbooks (language and coaching)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import new_id, utcnow


class VoiceProfile(SQLModel, table=True):
    """An enrolled voice: a speaker-encoder embedding for a named person; `encoder` names the encoder
    (`campplus-cn-en-common-192`: CAM++, 192 floats; rows saying "resemblyzer" are from the removed
    Resemblyzer encoder and are never compared with CAM++ speakers)."""

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_voiceprofile_org_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    user_id: str | None = Field(default=None, foreign_key="user.id", max_length=32)
    name: str = Field(max_length=200)
    role: str = Field(default="rep", max_length=20)
    embedding: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    encoder: str = Field(default="resemblyzer", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class TrackerDefinition(SQLModel, table=True):
    """A tracker: phrases matched by lemma and examples matched by meaning."""

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_tracker_org_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    name: str = Field(max_length=100)
    phrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    threshold: float | None = None
    speaker_role: str | None = Field(default=None, max_length=20)
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Playbook(SQLModel, table=True):
    """A talk-track playbook (the coaching YAML, stored parsed as JSON)."""

    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_playbook_org_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=32)
    name: str = Field(max_length=100)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Vocabulary(SQLModel, table=True):
    """An organization's custom vocabulary: product, company and competitor names (and other terms)
    the speech recogniser should spell right. One row per organization; `content` maps the groups
    of `transcription.vocabulary.VOCABULARY_KEYS` to lists of terms."""

    org_id: str = Field(foreign_key="organization.id", primary_key=True, max_length=32)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
