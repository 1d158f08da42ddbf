"""`/v1/calls`: upload, list, read, transcript, delete, relabel speakers."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import ValidationError
from sqlalchemy import Engine, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Call, CallResult, Outcome, User
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
from service.api.deps import (
    CurrentPrincipal,
    Principal,
    SessionDep,
    SettingsDep,
    allowed_to,
    visible_call,
)
from service.api.metrics import UPLOAD_BYTES
from service.api.responses import API_ERRORS
from service.api.upload import CONTENT_TYPES, UploadedFile, media_suffix, parse_upload
from service.core import strict_json
from service.domain import calls as domain_calls
from service.domain import library
from service.domain.errors import Invalid
from service.domain.library import CallFilters, OutcomeFilter
from service.jobs.core import create_job
from service.live_guidance import call_live
from service.served_files import file_headers
from service.storage import AudioStore, get_store

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
        return CallMetadata.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(422, detail=json.loads(exc.json(include_url=False, include_input=False))) from exc


def _owner(session: Session, principal: Principal, meta: CallMetadata) -> tuple[str | None, str | None]:
    """(rep user id, team id) the new call belongs to (`service.domain.calls.call_owner`); 422 when
    the upload names someone the key may not add calls for."""
    try:
        return domain_calls.call_owner(session, principal, meta.rep_user_id)
    except Invalid as exc:
        raise HTTPException(422, detail=str(exc)) from exc


def _existing(session: Session, org_id: str, key: str) -> Call | None:
    return session.exec(select(Call).where(col(Call.org_id) == org_id, col(Call.idempotency_key) == key)).first()


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
            _check_same_file(found, upload.sha256)
            return _accepted(found, replay=True)
        media = media_suffix(upload.filename, upload.content_type)
        if media is None:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                                detail="unsupported file type: send audio or a .vtt/.json transcript")
        if upload.size == 0:
            raise HTTPException(422, detail="the file is empty")
        meta = _metadata(parsed.fields)
        call, job_id, replay = await run_in_threadpool(_store_call, engine, store, principal, meta, upload,
                                                       media, idempotency_key)
    except Exception:
        await run_in_threadpool(store.discard, upload.temp_key)  # every way out but a stored call removes it
        raise
    except BaseException:  # cancelled: no awaiting here
        store.discard(upload.temp_key)
        raise
    if not replay:
        UPLOAD_BYTES.inc(upload.size)
        try:
            await run_in_threadpool(request.app.state.dispatcher.submit_job, job_id)
        except Exception:  # e.g. the broker is down: the job is in the database and the sweeper sends it
            log.warning("could not dispatch job %s now; the sweeper will", job_id, exc_info=True)
    return _accepted(call, replay=replay)


def _check_same_file(call: Call, sha256: str) -> None:
    """An Idempotency-Key names one request: reusing it for another file is a client error (422),
    not a silent replay of a different call (draft-ietf-httpapi-idempotency-key-header)."""
    if sha256 != call.sha256:
        raise HTTPException(422, detail="this Idempotency-Key was already used for a different file; "
                                        "send a new key for a new upload")


def _existing_by_key(engine: Engine, org_id: str, key: str) -> Call | None:
    with Session(engine, expire_on_commit=False) as session:
        return _existing(session, org_id, key)


def _store_call(engine: Engine, store: AudioStore, principal: Principal, meta: CallMetadata,
                upload: UploadedFile, media: tuple[str, str], idempotency_key: str | None) -> tuple[Call, str, bool]:
    """Move the upload into place (fsynced) and record the call and its job in one transaction.
    Returns (call, job id, replayed): a concurrent retry with the same key yields the winner's call."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            rep_user_id, team_id = _owner(session, principal, meta)
        except HTTPException:
            store.discard(upload.temp_key)
            raise
        if meta.rep is None and rep_user_id is not None:
            # The rep's name as transcripts and insights show it, unless the upload names one.
            rep = session.get(User, rep_user_id)
            meta = meta.model_copy(update={"rep": rep.name if rep else None})
        return _insert_call(session, store, principal, meta, upload, media, idempotency_key, rep_user_id, team_id)


def _insert_call(session: Session, store: AudioStore, principal: Principal, meta: CallMetadata,
                 upload: UploadedFile, media: tuple[str, str], idempotency_key: str | None,
                 rep_user_id: str | None, team_id: str | None) -> tuple[Call, str, bool]:
    kind, suffix = media
    call = Call(org_id=principal.org_id, team_id=team_id, rep_user_id=rep_user_id,
                uploaded_by_key_id=principal.key_id, idempotency_key=idempotency_key, title=meta.title,
                rep_name=meta.rep, rep_channel=meta.rep_channel, num_speakers=meta.num_speakers,
                started_at=aware(meta.started_at), deal_id=meta.deal_id, crm_ids=meta.crm_ids,
                media_kind=kind, original_filename=upload.filename, size_bytes=upload.size,
                sha256=upload.sha256)
    call.storage_key = f"calls/{call.id}/original{suffix}"
    store.commit(upload.temp_key, call.storage_key)
    try:
        session.add(call)
        job = create_job(session, call)
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same Idempotency-Key won the insert: answer with its call.
        session.rollback()
        store.delete_prefix(f"calls/{call.id}")
        found = _existing(session, principal.org_id, idempotency_key or "")
        if found is None:
            raise
        _check_same_file(found, upload.sha256)
        return found, "", True
    except BaseException:
        store.delete_prefix(f"calls/{call.id}")  # no call row: its file must not stay behind
        raise
    return call, job.id, False


@router.get("", response_model=CallPage, summary="List calls the key may see")
def list_calls(
    session: SessionDep, principal: CurrentPrincipal,
    rep: Annotated[str | None, Query(max_length=200, description="rep user id or rep name")] = None,
    status_: Annotated[Literal["queued", "processing", "done", "failed"] | None, Query(alias="status")] = None,
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


def outcome_for(session: Session, call: Call) -> OutcomePublic | None:
    """The newest outcome recorded for the call itself or for its deal."""
    conds = [col(Outcome.call_id) == call.id]
    if call.deal_id:
        conds.append(col(Outcome.deal_id) == call.deal_id)
    row = session.exec(select(Outcome).where(col(Outcome.org_id) == call.org_id, or_(*conds))
                       .order_by(col(Outcome.created_at).desc())).first()
    return OutcomePublic.model_validate(row, from_attributes=True) if row else None


@router.get("/{call_id}", response_model=CallDetail, summary="A call: status, progress, outcome, analysis",
            responses={404: {"description": "no such call visible to this key"}})
def get_call(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> CallDetail:
    call = visible_call(session, principal, call_id)
    detail = CallDetail(**CallPublic.of(call).model_dump(), outcome=outcome_for(session, call),
                        live=call_live(session, call.id))
    if call.status == "done":
        row = session.get(CallResult, call.id)
        detail.analysis = json.loads(row.analysis_json) if row else None
    return detail


def _analysis(session: Session, call: Call) -> dict[str, Any]:
    row = session.get(CallResult, call.id) if call.status == "done" else None
    if row is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"the call is not analysed (status: {call.status})")
    data: dict[str, Any] = json.loads(row.analysis_json)
    return data


@router.get("/{call_id}/transcript", summary="The transcript as JSON, WebVTT or RTTM",
            responses={200: {"content": {"application/json": {}, "text/vtt": {}, "text/plain": {}}},
                       409: {"description": "not analysed yet"}})
def get_transcript(call_id: str, session: SessionDep, principal: CurrentPrincipal,
                   format: Literal["json", "vtt", "rttm"] = "json") -> Response:
    from nlp.analysis import CallAnalysis
    from transcription.transcript_io import write_rttm, write_vtt

    call = visible_call(session, principal, call_id)
    data = _analysis(session, call)
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
    domain_calls.delete_call(session, principal, call_id, get_store(settings))
    return Response(status_code=204)


@router.patch("/{call_id}/speakers", response_model=CallDetail,
              summary="Relabel speakers (role, name); metrics are recomputed",
              responses={409: {"description": "not analysed yet"}})
def relabel_speakers(call_id: str, body: SpeakersPatch, session: SessionDep,
                     principal: Annotated[Principal, allowed_to("call.relabel")]) -> CallDetail:
    domain_calls.relabel_speakers(session, principal, call_id, body)
    return get_call(call_id, session, principal)
