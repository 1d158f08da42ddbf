"""Admin pages for retention and deletion (`/admin/retention`) and the audit trail (`/admin/audit`,
with filters, paging and CSV/JSON exports). The rules are the domain's (`service.domain.retention`,
`.forget`, `.audit_log`), as for the API: a coach or a rep gets the 403 page. What the pages say
(notices, counts, what a deletion removed, errors) is in the reader's language (`service.web.i18n`)."""

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
from service.core.i18n import DEFAULT_LOCALE, N_, tr
from service.core.served_files import file_headers
from service.core.sessions import ResolvedSession
from service.domain import audit_log, forget, retention
from service.domain import calls as domain_calls
from service.storage import get_store
from service.web.admin_pages import SECTIONS
from service.web.i18n import error_text, request_locale
from service.web.pages import SignedIn, check_csrf, day_bound, render
from service.web.wording import LIST_SEPARATORS, deleted_parts, deleted_sentence, plural

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_SIZE = 50
TOMBSTONES_SHOWN = 20
DONE = {"policy-saved": N_("Retention policy saved. The sweeper applies it within the hour "
                           "(TALKTRACK_RETENTION_INTERVAL_S).")}
KINDS = {"call": "call", "deal": "deal", "person": "person"}
GIVE_ID = {"call": N_("give the call's id"), "deal": N_("give the deal's id"), "person": N_("give the person's id")}
# What a tombstone's and an audit event's counts mean, for people (the API keeps the table names):
# (one, many).
COUNT_LABELS: dict[str, tuple[str, str]] = {
    "call": (N_("call"), N_("calls")), "calls": (N_("call"), N_("calls")),
    "objects": (N_("stored file"), N_("stored files")),
    "callresult": (N_("analysis"), N_("analyses")), "calltext": (N_("search text"), N_("search texts")),
    "callfeatures": (N_("coaching feature row"), N_("coaching feature rows")),
    "job": (N_("analysis run"), N_("analysis runs")),
    "outcome": (N_("outcome"), N_("outcomes")), "scorecardrecord": (N_("scorecard"), N_("scorecards")),
    "livecall": (N_("live card record"), N_("live card records")),
    "webhookdelivery": (N_("webhook delivery"), N_("webhook deliveries")),
    "webhookattempt": (N_("webhook delivery attempt"), N_("webhook delivery attempts")),
    "apikey": (N_("API key"), N_("API keys")),
    "websession": (N_("browser session"), N_("browser sessions")), "invite": (N_("invite"), N_("invites")),
    "voiceprofile": (N_("voice profile"), N_("voice profiles")), "user": (N_("user"), N_("users")),
    "recordings": (N_("recording"), N_("recordings")),
    "analyses": (N_("transcript and analysis"), N_("transcripts and analyses")),
    "scorecard_comments": (N_("scorecard comment"), N_("scorecard comments")),
    "scores_unattributed": (N_("score no longer attributed"), N_("scores no longer attributed")),
    "speaker_labels": (N_("speaker label"), N_("speaker labels")),
}
NONE, NOTHING = N_("none"), N_("nothing")
THE_CALL, ITS, THEIR = N_("the call"), N_("its"), N_("their")


def _count(locale: str, n: int, one: str, many: str) -> str:
    """"2 calls" in English; in another language the label and the number ("通话 2")."""
    if locale == DEFAULT_LOCALE:
        return plural(n, one, many)
    return tr(locale, "%(what)s %(count)s", what=tr(locale, one if n == 1 else many), count=n)


def counted(counts: dict[str, Any], locale: str = DEFAULT_LOCALE) -> str:
    """"2 calls, 2 stored files, 1 outcome" from a tombstone's counts, in `locale`."""
    parts = []
    for key, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            one, many = COUNT_LABELS.get(key, (key.replace("_", " "), key.replace("_", " ")))
            parts.append(_count(locale, value, one, many))
    return LIST_SEPARATORS.get(locale, ", ").join(parts) or tr(locale, NOTHING)


def deleted_text(stone: Tombstone, media_kind: str | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """What a deletion removed, for people ("Deleted the call, its analysis, scorecard and
    recording."); the tombstone, its audit event and the API keep the counts per table."""
    parts = deleted_parts(stone.counts, media_kind)
    calls = len(stone.call_ids)
    if locale == DEFAULT_LOCALE:
        if stone.kind == "call":
            return deleted_sentence(parts)
        if stone.kind == "deal":
            return deleted_sentence(parts, f"the deal's {plural(calls, 'call')}", "their")
        return deleted_sentence(parts, f"the person and {plural(calls, 'call')} filed under them", "their")
    if stone.kind == "call":
        return deleted_sentence(parts, tr(locale, THE_CALL), tr(locale, ITS), locale)
    if stone.kind == "deal":
        what = tr(locale, "the deal's %(count)s calls", count=calls)
    else:
        what = tr(locale, "the person and %(count)s calls filed under them", count=calls)
    return deleted_sentence(parts, what, tr(locale, THEIR), locale)


def _media_kind(session: Session, who: ResolvedSession, call_id: str) -> str | None:
    """Whether the call's stored file is a recording (for the words of the confirmation), or None."""
    try:
        return domain_calls.visible_call(session, who.principal, call_id).media_kind
    except NotFound:
        return None  # forget_call says so


def detail_text(detail: dict[str, Any], locale: str = DEFAULT_LOCALE) -> str:
    """An audit event's detail for people: counts in words, changes as "before → after" (the
    detail's own keys and values are shown as stored)."""
    counts = {k: v for k, v in detail.items() if k in COUNT_LABELS}
    none = tr(locale, NONE)
    rest = []
    for key, value in detail.items():
        if key in counts:
            continue
        if isinstance(value, list) and len(value) == 2 and key in ("role", "team_id", "audio_days", "analysis_days"):
            value = " → ".join(none if v is None else str(v) for v in value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or none
        rest.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(rest + ([counted(counts, locale)] if counts else []))


def _people(session: Session, org_id: str) -> list[User]:
    return list(session.exec(select(User).where(col(User.org_id) == org_id).order_by(col(User.name))).all())


def _retention_page(request: Request, session: Session, who: ResolvedSession, extra: dict[str, Any] | None = None,
                    status_code: int = 200) -> Response:
    p = who.principal
    require(p, "retention.manage")
    stones, _total = audit_log.list_tombstones(session, p, limit=TOMBSTONES_SHOWN, offset=0)
    locale = request_locale(request)
    done = DONE.get(request.query_params.get("done", ""))
    return render(request, "admin_retention.html", {
        "sections": SECTIONS, "section": "retention", "done": tr(locale, done) if done else None,
        "error": None, "revealed": None, "form": {}, "policy": retention.get_policy(session, p.org_id),
        "people": _people(session, p.org_id), "tombstones": stones, "deleted": None,
        "counted": lambda counts: counted(counts, locale),
        **(extra or {})},
        who, status_code=status_code)


@router.get("/retention")
def retention_page(request: Request, who: SignedIn) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        return _retention_page(request, session, who)


# A retention field's error, by field (the error line is shown in the page's language).
NOT_DAYS = {"audio_days": N_("Recordings: give a whole number of days, or leave it empty to keep them forever"),
            "analysis_days": N_("Transcripts and analyses: give a whole number of days, or leave it empty to keep "
                                "them forever")}


def _days(form: FormData, name: str) -> int | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw or raw.lower() == "forever":
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(NOT_DAYS[name]) from None


@router.post("/retention")
async def save_retention(request: Request, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "retention.manage")

    def save() -> Response | None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            try:
                retention.set_policy(session, who.principal.org_id, _days(form, "audio_days"),
                                     _days(form, "analysis_days"),
                                     Actor.of(who.principal), who.principal)
            except Invalid as exc:
                session.rollback()
                values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
                return _retention_page(request, session, who, {"error": error_text(request, exc), "form": values}, 422)
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
                    raise Invalid(N_("choose a call, a deal or a person"))
                if not target or len(target) > 200:
                    raise Invalid(GIVE_ID[kind])
                media_kind = _media_kind(session, who, target) if kind == "call" else None
                do = {"call": forget.forget_call, "deal": forget.forget_deal, "person": forget.forget_person}[kind]
                stone = do(session, store, Actor.of(who.principal), target, principal=who.principal)
            except (Invalid, NotFound, Conflict) as exc:
                session.rollback()
                return _retention_page(request, session, who, {"error": error_text(request, exc)}, exc.status_code)
            return _retention_page(request, session, who, {
                "deleted": stone, "deleted_text": deleted_text(stone, media_kind, request_locale(request))})

    return await run_in_threadpool(run)


def _filters(action: str, actor: str, target: str, since: str, until: str) -> audit_log.AuditFilters:
    if action and action not in ACTIONS and not (action.endswith(".") and any(a.startswith(action) for a in ACTIONS)):
        raise Invalid(N_("%(action)r is not an action of the audit trail", action=action))
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
        "pages": max(1, math.ceil(rows.total / PAGE_SIZE)),
        "detail_text": lambda detail: detail_text(detail, request_locale(request))}, who)


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, fmt: str, who: SignedIn, action: Annotated[str, Query(max_length=40)] = "",
                 actor: Annotated[str, Query(max_length=32)] = "", target: Text = "", since: Day = "",
                 until: Day = "") -> Response:
    if fmt not in audit_log.EXPORT_TYPES:
        raise NotFound(N_("the audit trail is exported as .csv or .json"))
    require(who.principal, "audit.read")
    filters = _filters(action, actor, target, since, until)
    with Session(request.app.state.engine) as session:
        record(session, "audit.export", org_id=who.principal.org_id, actor=Actor.of(who.principal),
               detail={"format": fmt})
    return StreamingResponse(audit_log.export_stream(request.app.state.engine, who.principal, filters, fmt),
                             media_type=audit_log.EXPORT_TYPES[fmt], headers=file_headers(f"talktrack-audit.{fmt}"))
