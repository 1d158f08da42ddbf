"""Per-organization definitions: voice profiles, tracker definitions, talk-track playbooks and the
custom vocabulary.

Every key of the organization can read them; only admin keys change them (the rules are
`service.domain.definitions`, shared with the admin pages). The pipeline stages
that use them (diarization, trackers, coaching) receive them as plain data from the service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import SQLModel

from models import Playbook, TrackerDefinition, VoiceProfile
from models.public import PlaybookCreate, TrackerCreate
from service.api.deps import CurrentPrincipal, Principal, SessionDep, allowed_to
from service.api.responses import API_ERRORS
from service.domain import definitions
from transcription.vocabulary import vocabulary_from_data
from transcription.voiceprint import ENCODER_SIZES, check_embedding

router = APIRouter(tags=["definitions"], responses=API_ERRORS)
# The caller, if their role may change definitions (403 before the body is looked at).
Editor = Annotated[Principal, allowed_to("definitions.write")]


class VoiceProfileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="rep", pattern="^(rep|customer|unknown)$")
    user_id: str | None = Field(default=None, max_length=32)
    embedding: list[float] = Field(min_length=16, max_length=4096,
                                   description="finite numbers, not all zero, as many as the encoder makes "
                                               f"({', '.join(f'{e}: {n}' for e, n in ENCODER_SIZES.items())})",
                                   json_schema_extra={"not": {"items": {"const": 0}}})
    encoder: Literal["campplus-cn-en-common-192", "resemblyzer-ge2e-256"] = Field(
        default="campplus-cn-en-common-192",
        description="the speaker encoder that made the embedding (`talktrack enroll` writes it in the profile)")

    @model_validator(mode="after")
    def _usable(self) -> VoiceProfileCreate:
        check_embedding(self.embedding, ENCODER_SIZES[self.encoder])  # ValueError -> 422
        return self


def _create(session: SessionDep, principal: Principal, row: SQLModel) -> dict[str, Any]:
    return definitions.create_definition(session, principal, row).model_dump(mode="json")


def _delete(session: SessionDep, principal: Principal, model: Any, item_id: str) -> Response:
    definitions.delete_definition(session, principal, model, item_id)
    return Response(status_code=204)


def _list(session: SessionDep, principal: CurrentPrincipal, model: Any) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in definitions.list_definitions(session, principal, model)]


@router.get("/voice-profiles", summary="Enrolled voice profiles")
def list_voice_profiles(session: SessionDep, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return _list(session, principal, VoiceProfile)


DUPLICATE: dict[int | str, dict[str, Any]] = {409: {"description": "a definition with this name already exists"}}


@router.post("/voice-profiles", status_code=201, summary="Enroll a voice profile (admin)", responses=DUPLICATE)
def create_voice_profile(body: VoiceProfileCreate, session: SessionDep, principal: Editor) -> dict[str, Any]:
    return _create(session, principal, VoiceProfile(org_id=principal.org_id, **body.model_dump()))


@router.delete("/voice-profiles/{item_id}", status_code=204, summary="Remove a voice profile (admin)")
def delete_voice_profile(item_id: str, session: SessionDep, principal: Editor) -> Response:
    return _delete(session, principal, VoiceProfile, item_id)


@router.get("/trackers", summary="Tracker definitions")
def list_trackers(session: SessionDep, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return _list(session, principal, TrackerDefinition)


@router.post("/trackers", status_code=201, summary="Define a tracker (admin)", responses=DUPLICATE)
def create_tracker(body: TrackerCreate, session: SessionDep, principal: Editor) -> dict[str, Any]:
    return _create(session, principal, TrackerDefinition(org_id=principal.org_id, **body.model_dump()))


@router.delete("/trackers/{item_id}", status_code=204, summary="Remove a tracker (admin)")
def delete_tracker(item_id: str, session: SessionDep, principal: Editor) -> Response:
    return _delete(session, principal, TrackerDefinition, item_id)


@router.get("/playbooks", summary="Talk-track playbooks")
def list_playbooks(session: SessionDep, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return _list(session, principal, Playbook)


@router.post("/playbooks", status_code=201, summary="Store a playbook (admin); an active one becomes the only active one",
             responses=DUPLICATE)
def create_playbook(body: PlaybookCreate, session: SessionDep, principal: Editor) -> dict[str, Any]:
    return _create(session, principal, Playbook(org_id=principal.org_id, **body.model_dump()))


@router.delete("/playbooks/{item_id}", status_code=204, summary="Remove a playbook (admin)")
def delete_playbook(item_id: str, session: SessionDep, principal: Editor) -> Response:
    return _delete(session, principal, Playbook, item_id)


_TERMS: list[str] = Field(default_factory=list, max_length=100)


class VocabularyBody(BaseModel):
    """Names the speech recogniser should spell right, by group (at most 100 terms in all)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"products": ["Talktrack"], "companies": ["Acme"], "competitors": ["Gong", "Chorus"],
         "terms": ["Salesforce", "HubSpot"]}]})
    products: list[str] = _TERMS
    companies: list[str] = _TERMS
    competitors: list[str] = _TERMS
    people: list[str] = _TERMS
    terms: list[str] = _TERMS


class VocabularyPublic(VocabularyBody):
    all_terms: list[str] = Field(description="every term once, in the order they reach the recogniser")
    updated_at: str | None = None


def _public(content: dict[str, Any], updated_at: str | None) -> VocabularyPublic:
    return VocabularyPublic(**content, all_terms=list(vocabulary_from_data(content)), updated_at=updated_at)


@router.get("/vocabulary", response_model=VocabularyPublic, summary="The organization's custom vocabulary")
def get_vocabulary(session: SessionDep, principal: CurrentPrincipal) -> VocabularyPublic:
    row = definitions.vocabulary_row(session, principal)
    if row is None:
        return _public({}, None)
    return _public(row.content, row.updated_at.isoformat())


@router.put("/vocabulary", response_model=VocabularyPublic,
            summary="Replace the custom vocabulary (admin); used by calls analysed from now on")
def put_vocabulary(body: VocabularyBody, session: SessionDep, principal: Editor) -> VocabularyPublic:
    content = body.model_dump()
    row = definitions.replace_vocabulary(session, principal, content)
    return _public(content, row.updated_at.isoformat())


class LanguageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_language: str | None = Field(
        max_length=40, examples=["zh"],
        description="auto (detect each call's language), en, zh or another language code; null: English")


@router.get("/language", response_model=LanguageBody, summary="The organization's default spoken language")
def get_language(session: SessionDep, principal: CurrentPrincipal) -> LanguageBody:
    from service.domain.org_definitions import org_language

    return LanguageBody(default_language=org_language(session, principal.org_id))


@router.put("/language", response_model=LanguageBody,
            summary="Set the spoken language of calls uploaded without one (admin); used by calls analysed from now on")
def put_language(body: LanguageBody, session: SessionDep, principal: Editor) -> LanguageBody:
    return LanguageBody(default_language=definitions.set_default_language(session, principal, body.default_language))


@router.delete("/vocabulary", status_code=204, summary="Remove the custom vocabulary (admin)")
def delete_vocabulary(session: SessionDep, principal: Editor) -> Response:
    definitions.delete_vocabulary(session, principal)
    return Response(status_code=204)
