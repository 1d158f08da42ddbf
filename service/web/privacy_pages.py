"""Admin pages for retention and deletion (`/admin/retention`) and the audit trail (`/admin/audit`,
with filters, paging and CSV/JSON exports). The rules are the domain's (`service.domain.retention`,
`.forget`, `.audit_log`), as for the API: a coach or a rep gets the 403 page."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response, StreamingResponse

from models import Tombstone, User
from service.core.access import require
from service.core.audit import ACTIONS, Actor, record
from service.core.errors import Conflict, Invalid, NotFound
from service.core.served_files import file_headers
from service.core.sessions import ResolvedSession
from service.domain import audit_log, forget, retention
from service.domain import calls as domain_calls
from service.storage import get_store
from service.web.admin_pages import SECTIONS
from service.web.pages import SignedIn, check_csrf, day_bound, render
from service.web.wording import deleted_parts, deleted_sentence, plural

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_SIZE = 50
TOMBSTONES_SHOWN = 20
DONE = {"policy-saved": "Retention policy saved. The sweeper applies it within the hour "
                        "(TALKTRACK_RETENTION_INTERVAL_S)."}
KINDS = {"call": "call", "deal": "deal", "person": "person"}
# What a tombstone's and an audit event's counts mean, for people (the API keeps the table names):
# (one, many).
COUNT_LABELS: dict[str, tuple[str, str]] = {
    "call": ("call", "calls"), "calls": ("call", "calls"), "objects": ("stored file", "stored files"),
    "callresult": ("analysis", "analyses"), "calltext": ("search text", "search texts"),
    "callfeatures": ("coaching feature row", "coaching feature rows"), "job": ("analysis run", "analysis runs"),
    "outcome": ("outcome", "outcomes"), "scorecardrecord": ("scorecard", "scorecards"),
    "livecall": ("live card record", "live card records"),
    "webhookdelivery": ("webhook delivery", "webhook deliveries"),
    "webhookattempt": ("webhook delivery attempt", "webhook delivery attempts"), "apikey": ("API key", "API keys"),
    "websession": ("browser session", "browser sessions"), "invite": ("invite", "invites"),
    "voiceprofile": ("voice profile", "voice profiles"), "user": ("user", "users"),
    "recordings": ("recording", "recordings"), "analyses": ("transcript and analysis", "transcripts and analyses"),
    "scorecard_comments": ("scorecard comment", "scorecard comments"),
    "scores_unattributed": ("score no longer attributed", "scores no longer attributed"),
    "speaker_labels": ("speaker label", "speaker labels"),
}


def counted(counts: dict[str, Any]) -> str:
    """"2 calls, 2 stored files, 1 outcome" from a tombstone's counts."""
    parts = []
    for key, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            one, many = COUNT_LABELS.get(key, (key.replace("_", " "), key.replace("_", " ")))
            parts.append(plural(value, one, many))
    return ", ".join(parts) or "nothing"


def deleted_text(stone: Tombstone, media_kind: str | None = None) -> str:
    """What a deletion removed, for people ("Deleted the call, its analysis, scorecard and
    recording."); the tombstone, its audit event and the API keep the counts per table."""
    parts = deleted_parts(stone.counts, media_kind)
    calls = len(stone.call_ids)
    if stone.kind == "call":
        return deleted_sentence(parts)
    if stone.kind == "deal":
        return deleted_sentence(parts, f"the deal's {plural(calls, 'call')}", "their")
    return deleted_sentence(parts, f"the person and {plural(calls, 'call')} filed under them", "their")


def _media_kind(session: Session, who: ResolvedSession, call_id: str) -> str | None:
    """Whether the call's stored file is a recording (for the words of the confirmation), or None."""
    try:
        return domain_calls.visible_call(session, who.principal, call_id).media_kind
    except NotFound:
        return None  # forget_call says so


def detail_text(detail: dict[str, Any]) -> str:
    """An audit event's detail for people: counts in words, changes as "before → after"."""
    counts = {k: v for k, v in detail.items() if k in COUNT_LABELS}
    rest = []
    for key, value in detail.items():
        if key in counts:
            continue
        if isinstance(value, list) and len(value) == 2 and key in ("role", "team_id", "audio_days", "analysis_days"):
            value = " → ".join("none" if v is None else str(v) for v in value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        rest.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(rest + ([counted(counts)] if counts else []))


def _people(session: Session, org_id: str) -> list[User]:
    return list(session.exec(select(User).where(col(User.org_id) == org_id).order_by(col(User.name))).all())


def _retention_page(request: Request, session: Session, who: ResolvedSession, extra: dict[str, Any] | None = None,
                    status_code: int = 200) -> Response:
    p = who.principal
    require(p, "retention.manage")
    stones, _total = audit_log.list_tombstones(session, p, limit=TOMBSTONES_SHOWN, offset=0)
    return render(request, "admin_retention.html", {
        "sections": SECTIONS, "section": "retention", "done": DONE.get(request.query_params.get("done", "")),
        "error": None, "revealed": None, "form": {}, "policy": retention.get_policy(session, p.org_id),
        "people": _people(session, p.org_id), "tombstones": stones, "deleted": None, "counted": counted,
        **(extra or {})},
        who, status_code=status_code)


@router.get("/retention")
def retention_page(request: Request, who: SignedIn) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        return _retention_page(request, session, who)


def _days(form: FormData, name: str, what: str) -> int | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw or raw.lower() == "forever":
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"{what}: give a whole number of days, or leave it empty to keep them forever") from None


@router.post("/retention")
async def save_retention(request: Request, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "retention.manage")

    def save() -> Response | None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            try:
                retention.set_policy(session, who.principal.org_id, _days(form, "audio_days", "Recordings"),
                                     _days(form, "analysis_days", "Transcripts and analyses"),
                                     Actor.of(who.principal), who.principal)
            except Invalid as exc:
                session.rollback()
                values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
                return _retention_page(request, session, who, {"error": str(exc), "form": values}, 422)
        return None

    page = await run_in_threadpool(save)
    return page or RedirectResponse("/admin/retention?done=policy-saved", status_code=303)


@router.post("/forget")
async def forget_form(request: Request, who: SignedIn) -> Response:
    """Delete a call, a deal or a person (the form names which) and show what the tombstone says."""
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "data.forget")
    kind = str(form.get("kind", ""))
    target = str(form.get("target", "") or "").strip()
    store = get_store(request.app.state.settings)

    def run() -> Response:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            try:
                if kind not in KINDS:
                    raise Invalid("choose a call, a deal or a person")
                if not target or len(target) > 200:
                    raise Invalid(f"give the {kind}'s id")
                media_kind = _media_kind(session, who, target) if kind == "call" else None
                do = {"call": forget.forget_call, "deal": forget.forget_deal, "person": forget.forget_person}[kind]
                stone = do(session, store, Actor.of(who.principal), target, principal=who.principal)
            except (Invalid, NotFound, Conflict) as exc:
                session.rollback()
                return _retention_page(request, session, who, {"error": str(exc)}, exc.status_code)
            return _retention_page(request, session, who, {"deleted": stone,
                                                           "deleted_text": deleted_text(stone, media_kind)})

    return await run_in_threadpool(run)


def _filters(action: str, actor: str, target: str, since: str, until: str) -> audit_log.AuditFilters:
    if action and action not in ACTIONS and not (action.endswith(".") and any(a.startswith(action) for a in ACTIONS)):
        raise Invalid(f"{action!r} is not an action of the audit trail")
    return audit_log.AuditFilters(action=action or None, actor_user_id=actor or None, target_id=target or None,
                                  since=day_bound(since), until=day_bound(until, end=True))


Text = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10)]


@router.get("/audit")
def audit_page(request: Request, who: SignedIn, action: Annotated[str, Query(max_length=40)] = "",
               actor: Annotated[str, Query(max_length=32)] = "", target: Text = "", since: Day = "",
               until: Day = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    p = who.principal
    filters = _filters(action, actor, target, since, until)
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        rows = audit_log.list_events(session, p, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        people = _people(session, p.org_id)
    params = {k: v for k, v in {"action": action, "actor": actor, "target": target, "since": since,
                                "until": until}.items() if v}
    return render(request, "admin_audit.html", {
        "sections": SECTIONS, "section": "audit", "done": None, "error": None, "revealed": None,
        "rows": rows, "actions": ACTIONS, "people": people, "params": params, "page_no": page,
        "pages": max(1, math.ceil(rows.total / PAGE_SIZE)), "detail_text": detail_text}, who)


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, fmt: str, who: SignedIn, action: Annotated[str, Query(max_length=40)] = "",
                 actor: Annotated[str, Query(max_length=32)] = "", target: Text = "", since: Day = "",
                 until: Day = "") -> Response:
    if fmt not in audit_log.EXPORT_TYPES:
        raise NotFound("the audit trail is exported as .csv or .json")
    require(who.principal, "audit.read")
    filters = _filters(action, actor, target, since, until)
    with Session(request.app.state.engine) as session:
        record(session, "audit.export", org_id=who.principal.org_id, actor=Actor.of(who.principal),
               detail={"format": fmt})
    return StreamingResponse(audit_log.export_stream(request.app.state.engine, who.principal, filters, fmt),
                             media_type=audit_log.EXPORT_TYPES[fmt], headers=file_headers(f"talktrack-audit.{fmt}"))
