"""`/v1/calls`: upload, list, read, transcript, delete, relabel speakers."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from models import Call, CallStatus
from models.base import aware
from models.public import (
    CallDetail,
    CallMetadata,
    CallPage,
    CallPublic,
    IsoDateTime,
    OutcomePublic,
    SpeakersPatch,
)
from service.api.deps import CurrentPrincipal, Principal, SessionDep, SettingsDep, allowed_to
from service.api.metrics import UPLOAD_BYTES
from service.api.responses import API_ERRORS
from service.api.upload import CONTENT_TYPES, UploadedFile, media_suffix, parse_upload
from service.core import strict_json
from service.core.access import uploader_of
from service.core.audit import Actor, record
from service.core.served_files import file_headers
from service.domain import calls as domain_calls
from service.domain import library, roles
from service.domain.calls import CreatedCall, NewCall, visible_call
from service.domain.library import CallFilters, OutcomeFilter
from service.domain.outcomes import newest_outcome
from service.live.guidance import call_live
from service.storage import AudioStore, get_store
from transcription.languages import parse_language

router = APIRouter(prefix="/calls", tags=["calls"], responses=API_ERRORS)
log = logging.getLogger(__name__)

EMPTY = {"type": "string", "maxLength": 0, "description": "an empty form field counts as not given"}
UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "a recording (wav, flac, mp3, m4a, ogg, webm, ...) or a transcript (.vtt, .json)"},
            "title": {"type": "string", "maxLength": 500, "example": "Discovery call with Acme"},
            "rep": {"type": "string", "maxLength": 200, "example": "Dana"},
            "rep_user_id": {"type": "string", "maxLength": 32},
            "started_at": {"anyOf": [{"type": "string", "format": "date-time"}, EMPTY],
                           "example": "2026-11-20T15:00:00Z"},
            "deal_id": {"type": "string", "maxLength": 200, "example": "006XX000001"},
            "crm_ids": {"type": "string", "description": "JSON object of CRM ids",
                        "example": '{"hubspot_deal_id": "1234"}'},
            "rep_channel": {"type": "integer", "minimum": 0, "maximum": 1, "example": 0},
            "num_speakers": {"type": "integer", "minimum": 1, "maximum": 20},
            "language": {"type": "string", "maxLength": 40, "example": "zh",
                         "description": "the spoken language: auto, en, zh or another language code; default: the "
                                        "organization's default language, else en"},
            "expected_speakers": {"type": "integer", "minimum": 1, "maximum": 20,
                                  "description": "people on the call (CRM attendee count): a prior, not forced"},
        },
    }, "encoding": {"file": {"contentType": ", ".join(sorted(CONTENT_TYPES))}}}},
}


def _metadata(fields: dict[str, str]) -> CallMetadata:
    data: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
    if "crm_ids" in data:
        try:
            data["crm_ids"] = strict_json.loads(data["crm_ids"])
        except strict_json.StrictJsonError as exc:
            raise HTTPException(422, detail=f"crm_ids is not a JSON object: {exc}") from exc
    try:
        meta = CallMetadata.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(422, detail=json.loads(exc.json(include_url=False, include_input=False))) from exc
    if meta.language is not None:
        try:
            meta.language = parse_language(meta.language)
        except ValueError as exc:
            raise HTTPException(422, detail=f"language: {exc}") from exc
    return meta


def _accepted(call: Call, replay: bool) -> JSONResponse:
    headers = {"Location": f"/v1/calls/{call.id}"}
    if replay:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(status_code=202, content=CallPublic.of(call).model_dump(mode="json"), headers=headers)


@router.post(
    "", status_code=202, response_model=CallPublic, summary="Upload a call (recording or transcript)",
    openapi_extra={"requestBody": UPLOAD_BODY},
    responses={413: {"description": "file over the size limit"}, 415: {"description": "unsupported file type"},
               422: {"description": "malformed metadata or body"}},
)
async def upload_call(
    request: Request, principal: CurrentPrincipal, settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200,
                                                  description="makes retries safe: same key and file, same call; "
                                                              "same key, another file: 422")] = None,
) -> JSONResponse:
    """Stores the file durably, queues its analysis and returns 202 with the call (poll its `status`)."""
    engine = request.app.state.engine
    # No database connection is held while the body streams in (uploads can be slow and many).
    found = None
    if idempotency_key:
        found = await run_in_threadpool(_existing_by_key, engine, principal.org_id, idempotency_key)
    store = get_store(settings)
    parsed = await parse_upload(request, store, settings.max_upload_bytes)
    upload = parsed.file
    if upload is None:
        raise HTTPException(422, detail="no `file` part in the form")
    try:
        if found is not None:
            # A retry: answer with the first call, but only for the same file (its SHA-256).
            await run_in_threadpool(store.discard, upload.temp_key)
            domain_calls.check_same_file(found, upload.sha256)
            return _accepted(found, replay=True)
        media = media_suffix(upload.filename, upload.content_type)
        if media is None:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                detail="unsupported file type: send audio or a .vtt/.json transcript")
        if upload.size == 0:
            raise HTTPException(422, detail="the file is empty")
        meta = _metadata(parsed.fields)
        created = await run_in_threadpool(_store_call, engine, store, principal, meta, upload, media,
                                          idempotency_key)
    except Exception:
        await run_in_threadpool(store.discard, upload.temp_key)  # every way out but a stored call removes it
        raise
    except BaseException:  # cancelled: no awaiting here
        store.discard(upload.temp_key)
        raise
    if created.job_id is not None:
        UPLOAD_BYTES.inc(upload.size)
        try:
            await run_in_threadpool(request.app.state.dispatcher.submit_job, created.job_id)
        except Exception:  # e.g. the broker is down: the job is in the database and the sweeper sends it
            log.warning("could not dispatch job %s now; the sweeper will", created.job_id, exc_info=True)
    return _accepted(created.call, replay=created.replayed)


def _existing_by_key(engine: Engine, org_id: str, key: str) -> Call | None:
    with Session(engine, expire_on_commit=False) as session:
        return domain_calls.call_by_idempotency_key(session, org_id, key)


def _store_call(engine: Engine, store: AudioStore, principal: Principal, meta: CallMetadata,
                upload: UploadedFile, media: tuple[str, str], idempotency_key: str | None) -> CreatedCall:
    """Record the call (`service.domain.calls.create_call`): its owner as the upload names it (422
    for someone the key may not add calls for), its file moved into place, its job queued."""
    kind, suffix = media
    with Session(engine, expire_on_commit=False) as session:
        rep_user_id, team_id = domain_calls.call_owner(session, principal, meta.rep_user_id)
        new = NewCall(org_id=principal.org_id, team_id=team_id, rep_user_id=rep_user_id,
                      added_by_key_id=uploader_of(principal), temp_key=upload.temp_key, suffix=suffix, media_kind=kind,
                      size_bytes=upload.size, sha256=upload.sha256, original_filename=upload.filename,
                      title=meta.title, rep_name=domain_calls.rep_name_for(session, rep_user_id, meta.rep),
                      rep_channel=meta.rep_channel,
                      num_speakers=meta.expected_speakers if meta.expected_speakers is not None else meta.num_speakers,
                      started_at=aware(meta.started_at), deal_id=meta.deal_id, crm_ids=meta.crm_ids,
                      idempotency_key=idempotency_key, language=meta.language)
        return domain_calls.create_call(session, store, new)


@router.get("", response_model=CallPage, summary="List calls the key may see")
def list_calls(
    session: SessionDep, principal: CurrentPrincipal,
    rep: Annotated[str | None, Query(max_length=200, description="rep user id or rep name")] = None,
    status_: Annotated[CallStatus | None, Query(alias="status")] = None,
    deal_id: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[IsoDateTime | None, Query(description="started (or uploaded) at or after")] = None,
    until: Annotated[IsoDateTime | None, Query(description="started (or uploaded) before")] = None,
    team_id: Annotated[str | None, Query(max_length=32)] = None,
    outcome: Annotated[OutcomeFilter | None, Query(description="an outcome recorded for the call or its deal")] = None,
    tracker: Annotated[str | None, Query(max_length=100, description="a tracker that fired on the call")] = None,
    q: Annotated[str | None, Query(max_length=200, description="words the transcript contains (full-text index)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CallPage:
    filters = CallFilters(rep=rep, team_id=team_id, status=status_, deal_id=deal_id, since=since, until=until,
                          outcome=outcome, tracker=tracker, text=q)
    page = library.list_calls(session, principal, filters, limit=limit, offset=offset)
    return CallPage(items=[CallPublic.of(r.call) for r in page.rows], total=page.total, limit=limit,
                    offset=offset, next_offset=page.next_offset)


@router.get("/{call_id}", response_model=CallDetail, summary="A call: status, progress, outcome, analysis",
            responses={404: {"description": "no such call visible to this key"}})
def get_call(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> CallDetail:
    call = visible_call(session, principal, call_id)
    record(session, "call.view", org_id=call.org_id, actor=Actor.of(principal, "api"), target_kind="call",
           target_id=call.id)
    outcome = newest_outcome(session, call)
    detail = CallDetail(**CallPublic.of(call).model_dump(),
                        outcome=OutcomePublic.model_validate(outcome, from_attributes=True) if outcome else None,
                        live=call_live(session, call.id), analysis=domain_calls.analysis_if_done(session, call))
    return detail


@router.get("/{call_id}/transcript", summary="The transcript as JSON, WebVTT or RTTM",
            responses={200: {"content": {"application/json": {}, "text/vtt": {}, "text/plain": {}}},
                       409: {"description": "not analysed yet"}})
def get_transcript(call_id: str, session: SessionDep, principal: CurrentPrincipal,
                   format: Literal["json", "vtt", "rttm"] = "json") -> Response:
    from nlp.analysis import CallAnalysis
    from transcription.transcript_io import write_rttm, write_vtt

    call = visible_call(session, principal, call_id)
    data = domain_calls.stored_analysis(session, call)
    record(session, "call.download", org_id=call.org_id, actor=Actor.of(principal, "api"), target_kind="call",
           target_id=call.id, detail={"file": f"transcript.{format}"})
    name = f"{call.id}-transcript.{format}"  # the words are the caller's content: served as a file
    if format == "json":
        keys = ("duration_s", "source", "has_timing", "language", "speakers", "turns", "speaker_turns", "words")
        return JSONResponse({"call_id": call.id, **{k: data.get(k) for k in keys}},
                            headers=file_headers(name, "inline"))
    transcript = CallAnalysis.from_dict(data).transcript
    if format == "vtt":
        return PlainTextResponse(write_vtt(transcript), media_type="text/vtt", headers=file_headers(name))
    return PlainTextResponse(write_rttm(transcript, call.id), media_type="text/plain", headers=file_headers(name))


@router.delete("/{call_id}", status_code=204, summary="Delete a call, its audio and its data")
def delete_call(call_id: str, session: SessionDep, principal: Annotated[Principal, allowed_to("call.delete")],
                settings: SettingsDep) -> Response:
    domain_calls.delete_call(session, principal, call_id, get_store(settings), settings.delete_grace_h)
    return Response(status_code=204)


@router.patch("/{call_id}/speakers", response_model=CallDetail,
              summary="Relabel speakers (role, name); metrics are recomputed",
              responses={409: {"description": "not analysed yet"}})
def relabel_speakers(call_id: str, body: SpeakersPatch, session: SessionDep,
                     principal: Annotated[Principal, allowed_to("call.relabel")]) -> CallDetail:
    roles.set_speakers(session, principal, call_id, body)
    return get_call(call_id, session, principal)
