"""Retention, deletion on request and the audit trail, for admins: `/v1/retention`, `/v1/forget`,
`/v1/tombstones`, `/v1/audit` (the rules: `service.domain.retention`, `.forget`, `.audit_log`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from models.base import aware
from models.privacy_public import (
    AuditEventPublic,
    AuditPage,
    ForgetCall,
    ForgetDeal,
    ForgetRequest,
    RetentionPolicyPublic,
    TombstonePage,
    TombstonePublic,
)
from models.public import IsoDateTime
from service.api.deps import Principal, SessionDep, SettingsDep, allowed_to
from service.api.responses import API_ERRORS
from service.core.audit import Actor, record
from service.core.served_files import file_headers
from service.domain import audit_log, forget, retention
from service.storage import get_store

router = APIRouter(tags=["privacy"], responses=API_ERRORS)

Admin = Annotated[Principal, allowed_to("retention.manage")]
Forgetter = Annotated[Principal, allowed_to("data.forget")]
Auditor = Annotated[Principal, allowed_to("audit.read")]


@router.get("/retention", response_model=RetentionPolicyPublic, summary="The organization's retention policy")
def get_retention(session: SessionDep, principal: Admin) -> RetentionPolicyPublic:
    policy = retention.get_policy(session, principal.org_id)
    return RetentionPolicyPublic(audio_days=policy.audio_days, analysis_days=policy.analysis_days)


@router.put("/retention", response_model=RetentionPolicyPublic,
            summary="Set how long recordings, and transcripts and analyses, are kept (null: forever)")
def put_retention(body: RetentionPolicyPublic, session: SessionDep, principal: Admin) -> RetentionPolicyPublic:
    policy = retention.set_policy(session, principal.org_id, body.audio_days, body.analysis_days,
                                  Actor.of(principal, "api"), principal)
    return RetentionPolicyPublic(audio_days=policy.audio_days, analysis_days=policy.analysis_days)


@router.post("/forget", response_model=TombstonePublic,
             summary="Delete a call, a deal's calls, or everything about a person; returns the tombstone",
             responses={404: {"description": "no such call, deal or person in this organization"},
                        503: {"description": "the audio store cannot be reached: nothing was deleted from the "
                                             "database, send the request again"}})
def forget_request(body: ForgetRequest, session: SessionDep, principal: Forgetter,
                   settings: SettingsDep) -> TombstonePublic:
    store, actor = get_store(settings), Actor.of(principal, "api")
    if isinstance(body, ForgetCall):
        stone = forget.forget_call(session, store, actor, body.call_id, principal=principal)
    elif isinstance(body, ForgetDeal):
        stone = forget.forget_deal(session, store, actor, body.deal_id, principal=principal)
    else:
        stone = forget.forget_person(session, store, actor, body.user_id, principal=principal)
    return TombstonePublic.model_validate(stone, from_attributes=True)


@router.get("/tombstones", response_model=TombstonePage, summary="What deletions removed, newest first")
def get_tombstones(session: SessionDep, principal: Auditor,
                   kind: Literal["call", "deal", "person", "retention"] | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> TombstonePage:
    rows, total = audit_log.list_tombstones(session, principal, limit=limit, offset=offset, kind=kind)
    return TombstonePage(items=[TombstonePublic.model_validate(r, from_attributes=True) for r in rows], total=total,
                         limit=limit, offset=offset, next_offset=offset + limit if offset + limit < total else None)


def _filters(action: str | None, actor: str | None, target: str | None, since: datetime | None,
             until: datetime | None) -> audit_log.AuditFilters:
    return audit_log.AuditFilters(action=action or None, actor_user_id=actor or None, target_id=target or None,
                                  since=aware(since), until=aware(until))


ActionQ = Annotated[str | None, Query(max_length=40, description="an action (`call.view`), or a prefix ending "
                                                                 "in a dot (`call.`)")]
ActorQ = Annotated[str | None, Query(max_length=32, description="the acting person's user id")]
TargetQ = Annotated[str | None, Query(max_length=200, description="the call, deal, user or key id acted on")]
SinceQ = Annotated[IsoDateTime | None, Query(description="at or after")]
UntilQ = Annotated[IsoDateTime | None, Query(description="before")]


@router.get("/audit", response_model=AuditPage, summary="The audit trail, newest first")
def get_audit(session: SessionDep, principal: Auditor, action: ActionQ = None, actor: ActorQ = None,
              target: TargetQ = None, since: SinceQ = None, until: UntilQ = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> AuditPage:
    rows = audit_log.list_events(session, principal, _filters(action, actor, target, since, until),
                                 limit=limit, offset=offset)
    return AuditPage(items=[AuditEventPublic(**audit_log.event_dict(e, rows.names)) for e in rows.events],
                     total=rows.total, limit=limit, offset=offset, next_offset=rows.next_offset)


@router.get("/audit/export", summary="The audit trail as a CSV or JSON file, oldest first",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export_audit(request: Request, session: SessionDep, principal: Auditor,
                 format: Literal["csv", "json"] = "csv", action: ActionQ = None, actor: ActorQ = None,
                 target: TargetQ = None, since: SinceQ = None, until: UntilQ = None) -> StreamingResponse:
    filters = _filters(action, actor, target, since, until)
    record(session, "audit.export", org_id=principal.org_id, actor=Actor.of(principal, "api"),
           detail={"format": format})
    return StreamingResponse(audit_log.export_stream(request.app.state.engine, principal, filters, format),
                             media_type=audit_log.EXPORT_TYPES[format],
                             headers=file_headers(f"talktrack-audit.{format}"))
