"""The calls library (`/`) and the call page (`/calls/{id}`): brief, player, timeline, search,
transcript, metrics, questions, trackers, next steps, suggestions, speakers, outcome and scorecard;
running a failed analysis again. The downloads (`service.web.downloads`) hang off this router."""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from models import Call
from models.calls import CALL_STATUSES
from models.public import OutcomeCreate, SpeakerLabel, SpeakersPatch
from service.core.access import allowed, require
from service.core.audit import Actor, record
from service.core.errors import Conflict, Invalid, NotFound
from service.core.i18n import N_, NC_, format_day, format_stamp
from service.core.i18n import tr as core_tr
from service.core.served_files import audio_extension
from service.core.sessions import ResolvedSession
from service.domain import analyses, briefs, library, outcomes, people, reanalysis, roles, scorecards
from service.domain import calls as domain_calls
from service.domain import comments as call_comments
from service.domain.benchmarks import team_bands
from service.storage import AudioStore, get_store
from service.web import clip_pages, downloads
from service.web.audio_response import audio_response
from service.web.call_view import (
    QUESTION_LABELS,
    QUESTION_TYPES,
    ViewCache,
    build_call_view,
    comment_marks,
    fmt_metric,
)
from service.web.i18n import ptr, request_locale, tr
from service.web.pages import SignedIn, check_csrf, day_bound, render
from service.web.wording import DELETED_PARTS, FILE_WORDS, deleted_parts, deleted_sentence
from transcription.display import clock

router = APIRouter(include_in_schema=False)
router.include_router(downloads.router)
log = logging.getLogger(__name__)
PAGE_SIZE = 50
VIEWS = ViewCache()
STATUSES = CALL_STATUSES
OUTCOMES = ("won", "lost", "next_step_booked", "none")
SPEAKER_ROLES = ("rep", "customer", "unknown")
# Codes the call page shows as words (`pgettext(context, code)` in call.html).
CALL_PAGE_WORDS = (
    NC_("speaker role", "rep"), NC_("speaker role", "customer"), NC_("speaker role", "unknown"),
    NC_("score by", "coach"), NC_("score by", "auto"), NC_("score by", "none"), NC_("band", "below"),
    NC_("band", "above"),
    NC_("analysis step", "transcribe"), NC_("analysis step", "diarize"), NC_("analysis step", "analyze"),
    NC_("question type", "open"), NC_("question type", "yes/no"), NC_("question type", "choice"),
    NC_("question type", "declarative"), NC_("question type", "tag"),
)
AUDIO_PENDING = N_("the recording plays once its analysis has decoded it as audio")
AUDIO_REFUSED = N_("the recording did not decode as audio, so Talktrack does not play it back or serve the file: "
                   "delete the call, or upload the recording again")
NO_RECORDING = N_("this call has no recording")
THE_CALL, ITS = N_("the call"), N_("its")  # "Deleted the call, its ..." in another language


@router.get("/")
def library_page(
    request: Request, who: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "", rep: Annotated[str, Query(max_length=200)] = "",
    team: Annotated[str, Query(max_length=32)] = "", status: Annotated[str, Query(max_length=20)] = "",
    outcome: Annotated[str, Query(max_length=20)] = "", tracker: Annotated[str, Query(max_length=100)] = "",
    since: Annotated[str, Query(max_length=10)] = "", until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1, welcome: Annotated[str, Query(max_length=1)] = "",
    deleted: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    filters = library.CallFilters(
        rep=rep or None, team_id=team or None, status=status if status in STATUSES else None,
        outcome=outcome if outcome in OUTCOMES else None, tracker=tracker or None, text=q or None,  # type: ignore[arg-type]
        since=day_bound(since), until=day_bound(until, end=True))
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        result = library.list_calls(session, who.principal, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        reps, teams = library.filter_choices(session, who.principal)
    params = {k: v for k, v in {"q": q, "rep": rep, "team": team, "status": status, "outcome": outcome,
                                "tracker": tracker, "since": since, "until": until}.items() if v}
    return render(request, "library.html", {
        "page": result, "page_no": page, "pages": max(1, math.ceil(result.total / PAGE_SIZE)), "params": params,
        "statuses": STATUSES, "outcomes": OUTCOMES, "clock": clock, "fmt": fmt_metric,
        "can_upload": allowed(who.principal, "call.upload"), "reps": reps, "teams": teams,
        "welcome": welcome == "1", "deleted": _deleted_message(deleted, request_locale(request))}, who)


def _call_context(session: Session, who: ResolvedSession, call_id: str, store: AudioStore,
                  grace_h: float, locale: str = "en") -> dict[str, Any]:
    p = who.principal
    call = domain_calls.visible_call(session, p, call_id)
    ctx: dict[str, Any] = {"call": call, "view": None, "suggestions": [], "scorecard": None, "draft": None,
                           "outcome": library.latest_outcomes(session, [call]).get(call.id),
                           "clock": clock, "stamp": lambda iso: _stamp(iso, locale), "question_types": QUESTION_TYPES,
                           "question_labels": QUESTION_LABELS, "speaker_roles": SPEAKER_ROLES,
                           "can_score": allowed(p, "scorecard.write"), "can_relabel": allowed(p, "call.relabel"),
                           "can_outcome": allowed(p, "outcome.write"),
                           "can_delete": domain_calls.may_delete(session, p, call, grace_h),
                           "can_upload": allowed(p, "call.upload"),
                           "has_audio": _playable(call), "audio_refused": _audio_refusal(call),
                           "head_parts": _head_parts(call, locale), "authors": {}, "items_by_id": {},
                           "deal_href": f"/deals/{quote(call.deal_id, safe='')}" if call.deal_id else None,
                           "downloads": [], "can_rerun": False, "file_missing": False}
    if call.status == "failed":
        ctx["file_missing"] = reanalysis.stored_file_missing(store, call)
        ctx["can_rerun"] = allowed(p, "call.upload") and not ctx["file_missing"]
    found = analyses.result_stamp(session, call)
    if found is None:
        return ctx
    ctx["downloads"] = [(f"/calls/{call.id}/{suffix}", label) for suffix, (_, label) in downloads.FORMATS.items()]
    updated_at, suggestions_json = found
    view = VIEWS.get((call.id, updated_at))
    if view is None:
        analysis = json.loads(analyses.analysis_json(session, call.id))
        if analysis.get("brief") is None:  # stored beside the analysis (`service.domain.briefs`), e.g. after a relabel
            analysis["brief"] = briefs.call_brief(session, p, call.id).brief
        view = build_call_view(analysis, {})
        VIEWS.put((call.id, updated_at), view)
    ctx["view"] = view.with_bands(team_bands(session, call.org_id, call.team_id, view.language))
    ctx["suggestions"] = json.loads(suggestions_json or "[]")
    card = ctx["scorecard"] = scorecards.current_scorecard(session, p, call.id)
    if card is not None:
        ctx["items_by_id"] = {i["item_id"]: i["label"] for i in card["items"]}
        ctx["authors"] = people.author_names(session, call.org_id, [c.get("by") for c in card["comments"]])
    if ctx["can_score"]:
        draft = scorecards.draft_scorecard(session, p, call)
        ctx["draft"] = None if draft is None else draft.to_dict()
    return ctx


@router.get("/calls/{call_id}")
def call_page(request: Request, call_id: str, who: SignedIn) -> Response:
    def build() -> dict[str, Any]:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            settings = request.app.state.settings
            locale = request_locale(request)
            ctx = _call_context(session, who, call_id, get_store(settings), settings.delete_grace_h, locale)
            call = ctx["call"]
            record(session, "call.view", org_id=call.org_id, actor=Actor.of(who.principal), target_kind="call",
                   target_id=call.id)
            ctx["expired"] = _expired_notes(request, call)
            ctx.update(call_comments.call_panel(session, who.principal, call, request.query_params.get("unseen", "")))
            _translate_roles(request, [*ctx.get("share_choices", []), *ctx.get("mention_people", [])])
            ctx["comment_marks"] = comment_marks(ctx["threads"], ctx["view"].duration_s, locale) if ctx["view"] else []
            ctx.update(clip_pages.call_clips_context(session, request, who.principal, call))  # `_clips.html`
            return ctx

    return render(request, "call.html", build(), who)


def _translate_roles(request: Request, people: list[dict[str, Any]]) -> None:
    """The role in each person's "rep · East" (`call_comments` writes the role's code) as the page's word."""
    if request_locale(request) == "en":
        return
    for person in people:
        role, sep, team = str(person.get("who", "")).partition(" · ")
        person["who"] = ptr(request, "role", role) + sep + team


def _head_parts(call: Call, locale: str = "en") -> list[str]:
    """The call page's header line: only the parts the call has (a failed call may have no length)."""
    parts = [call.rep_name or "", format_stamp(locale, call.started_at or call.created_at),
             clock(call.duration_s) if call.duration_s else ""]
    return [p for p in parts if p]


def _stamp(iso: str | None, locale: str = "en") -> str:
    """When something was written, for people: "2026-12-05 14:03 UTC" (the stored time is UTC;
    Chinese: 2026年12月5日 14:03 UTC)."""
    try:
        when = datetime.fromisoformat(str(iso))
    except ValueError:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{format_stamp(locale, when)} UTC"


def _expired_notes(request: Request, call: Call) -> list[str]:
    """What the retention policy deleted from the call, as sentences in the page's language (the
    same facts as `domain_calls.expired_audio` / `expired_analysis`)."""
    locale = request_locale(request)
    notes = []
    if call.audio_expired_at is not None:
        notes.append(tr(request, "The recording was deleted on %(date)s under the organization's retention policy.",
                        date=format_day(locale, call.audio_expired_at)))
    if call.analysis_expired_at is not None:
        notes.append(tr(request, "The call's transcript and analysis were deleted on %(date)s under the "
                        "organization's retention policy.", date=format_day(locale, call.analysis_expired_at)))
    return notes


def _playable(call: Call) -> bool:
    return call.media_kind == "audio" and bool(call.storage_key) and call.audio_type is not None


def _audio_refusal(call: Call) -> str | None:
    """Why the call's stored file is not played back, or None. Only a file the analysis decoded as
    audio is served, as the type the decoder found (`service.core.served_files`): anything else could be
    a page or a script under an audio name."""
    if call.media_kind != "audio" or not call.storage_key or call.audio_type is not None:
        return None
    if call.status in ("queued", "processing"):
        return AUDIO_PENDING
    return AUDIO_REFUSED


@router.get("/calls/{call_id}/audio")
def call_audio(request: Request, call_id: str, who: SignedIn) -> Response:
    """The call's recording, with HTTP range requests (the player seeks without downloading it all)."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        call = domain_calls.visible_call(session, who.principal, call_id)
        if call.media_kind != "audio" or not call.storage_key:
            raise NotFound(domain_calls.expired_audio(call) or NO_RECORDING)
        if call.audio_type is None:
            raise Conflict(_audio_refusal(call) or NO_RECORDING)
        record(session, "call.audio", org_id=call.org_id, actor=Actor.of(who.principal), target_kind="call",
               target_id=call.id)
    filename = f"talktrack-call-{call.id}{audio_extension(call.audio_type)}"  # never the client's name
    return audio_response(get_store(request.app.state.settings), call.storage_key, filename, call.audio_type,
                          request.headers.get("range"))


@router.post("/calls/{call_id}/delete")
async def delete_call(request: Request, call_id: str, who: SignedIn) -> Response:
    """Delete the call, its recording and its data (the same rule as `DELETE /v1/calls/{id}`:
    `access.may_delete_call`), then say in the library what went."""
    form = await request.form()
    check_csrf(form, who)
    settings = request.app.state.settings

    def remove() -> str:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            media_kind = domain_calls.visible_call(session, who.principal, call_id).media_kind
            stone = domain_calls.delete_call(session, who.principal, call_id, get_store(settings),
                                             settings.delete_grace_h)
            return ",".join(f"{name}-{n}" for name, n in deleted_parts(stone.counts, media_kind))

    parts = await run_in_threadpool(remove)
    return RedirectResponse(f"/?deleted={quote(parts or 'call', safe=',-')}", status_code=303)


def _deleted_message(raw: str, locale: str = "en") -> str | None:
    """The library's line after a deletion from the call page, from the redirect's `deleted` (only
    known parts are read: the words are the page's own, whatever the address holds), in `locale`."""
    if not raw:
        return None
    parts = []
    for token in raw.split(",")[:20]:
        name, _, n = token.partition("-")
        if (name in DELETED_PARTS or name in FILE_WORDS) and n.isdigit():
            parts.append((name, int(n)))
    if locale == "en":
        return deleted_sentence(parts)
    return deleted_sentence(parts, core_tr(locale, THE_CALL), core_tr(locale, ITS), locale)


@router.post("/calls/{call_id}/rerun")
async def rerun_call(request: Request, call_id: str, who: SignedIn) -> Response:
    """Queue a failed call's analysis again, on its stored file (`call.upload`, as for adding a call)."""
    form = await request.form()
    check_csrf(form, who)

    def queue() -> str:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            return reanalysis.rerun_analysis(session, who.principal, call_id, get_store(request.app.state.settings))

    job_id = await run_in_threadpool(queue)
    try:
        await run_in_threadpool(request.app.state.dispatcher.submit_job, job_id)
    except Exception:  # the job is stored as queued: the sweeper sends it
        log.warning("could not dispatch job %s now; the sweeper will", job_id, exc_info=True)
    return _back(call_id)


def _back(call_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/calls/{call_id}{anchor}", status_code=303)


@router.post("/calls/{call_id}/outcome")
async def set_outcome(request: Request, call_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "outcome.write")  # before the fields: a 403 never depends on them
    kind = str(form.get("outcome", ""))
    if kind not in ("won", "lost", "next_step_booked"):
        raise Invalid(N_("choose won, lost or next step booked"))
    note = str(form.get("note", ""))[:5000] or None

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            outcomes.record_outcome(session, who.principal,
                                    OutcomeCreate(call_id=call_id, outcome=kind, note=note))  # type: ignore[arg-type]

    await run_in_threadpool(save)
    return _back(call_id, "#outcome")


@router.post("/calls/{call_id}/speakers")
async def fix_speakers(request: Request, call_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "call.relabel")
    ids = [str(v) for v in form.getlist("speaker_id")][:50]
    labels = []
    for sid in ids:
        role = str(form.get(f"role_{sid}", "unknown"))
        if role not in SPEAKER_ROLES:
            raise Invalid(N_("unknown role %(role)r", role=role))
        name = str(form.get(f"name_{sid}", "")).strip()[:200] or None
        labels.append(SpeakerLabel(id=sid, role=role, name=name))  # type: ignore[arg-type]
    if not labels:
        raise Invalid(N_("no speakers in the form"))

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            roles.set_speakers(session, who.principal, call_id, SpeakersPatch(speakers=labels))

    await run_in_threadpool(save)
    return _back(call_id, "#metrics")


def _moment(raw: str) -> float | None:
    """A moment typed as seconds or m:ss (h:mm:ss), or None when empty."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        parts = [float(p) for p in raw.split(":")]
    except ValueError as exc:
        raise Invalid(N_("%(value)r is not a moment of the call (seconds or m:ss)", value=raw)) from exc
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    if not math.isfinite(seconds) or seconds < 0 or len(parts) > 3:
        raise Invalid(N_("%(value)r is not a moment of the call", value=raw))
    return seconds


@router.post("/calls/{call_id}/scorecard")
async def save_scorecard(request: Request, call_id: str, who: SignedIn) -> Response:
    """Saves the coach's form as the call's new current scorecard; earlier comments are kept."""
    form = await request.form()
    check_csrf(form, who)
    require(who.principal, "scorecard.write")  # a rep: 403, whatever the form holds
    items: list[scorecards.ItemInput] = []
    for item_id in [str(v) for v in form.getlist("item_id")][:200]:
        raw = str(form.get(f"score_{item_id}", "")).strip()
        note = str(form.get(f"comment_{item_id}", "")).strip()[:5000] or None
        if raw in ("", "auto"):
            continue
        try:
            score = float(raw)
        except ValueError as exc:
            raise Invalid(N_("score %(value)r is not a number", value=raw)) from exc
        if not 0.0 <= score <= 1.0:
            raise Invalid(N_("scores go from 0 to 1"))
        items.append(scorecards.ItemInput(item_id, score, note))
    comments = []
    text = str(form.get("comment", "")).strip()[:5000]
    if text:
        comments.append(scorecards.CommentInput(text, None, _moment(str(form.get("comment_at", "")))))

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            scorecards.save_scorecard(session, who.principal, call_id, items, comments, keep_comments=True)

    await run_in_threadpool(save)
    return _back(call_id, "#scorecard")

