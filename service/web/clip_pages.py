"""The coaching library's pages: "Clip this" on the call page (`_clips.html`), a clip (`/clips/{id}`:
a player holding only its span, and the words of the span), the playlists (`/playlists`) and a
playlist that plays its clips in order (`/playlists/{id}`; "Move up"/"Move down" for those who may
change it). The same domain functions and access
rule as `/v1/clips` and `/v1/playlists` (`service.domain.clips`); every page shows its own address
to copy, which opens for the same people only (a 404 page for anyone else)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from models import Call
from service.core.access import Principal, allowed, may_clip_call
from service.core.audit import Actor, record
from service.core.errors import Conflict, Invalid, NotFound
from service.core.i18n import N_, format_day
from service.domain import calls as domain_calls
from service.domain import clips
from service.storage import get_store
from service.web.audio_response import bytes_audio_response
from service.web.clip_audio import CUTS, ClipAudioError, cut_wav
from service.web.i18n import request_locale, tr
from service.web.pages import SignedIn, check_csrf, public_base, render
from transcription.display import clock

router = APIRouter(include_in_schema=False)
DEFAULT_AROUND_S = 15.0  # "Clip this" at the player's time: this much before and after it
# A span's missing or unreadable moment ("start" or "end"), in words the error page translates.
MISSING_MOMENT = {"start": N_("give the clip's start (m:ss or seconds)"),
                  "end": N_("give the clip's end (m:ss or seconds)")}


def share_link(request: Request, path: str) -> str:
    return public_base(request) + path


def _playable(call: Call) -> bool:
    return call.media_kind == "audio" and bool(call.storage_key) and call.audio_type is not None


def call_clips_context(session: Session, request: Request, principal: Principal, call: Call) -> dict[str, Any]:
    """What `_clips.html` shows on the call page: the call's clips the person sees, the form, the link."""
    page = clips.list_clips(session, principal, call.id, limit=100)
    return {"clips": clips.clip_dicts(session, principal, page.items),
            "can_clip": call.status == "done" and call.duration_s is not None
            and may_clip_call(principal, clips.call_owner_of(call)),
            "clip_around_s": DEFAULT_AROUND_S, "call_link": share_link(request, f"/calls/{call.id}")}


def _not_a_moment(raw: str, what: str) -> Invalid:
    if what == "start":
        return Invalid(N_("the start %(value)r is not a moment of the call (m:ss or seconds)", value=raw))
    return Invalid(N_("the end %(value)r is not a moment of the call (m:ss or seconds)", value=raw))


def _seconds(raw: str, what: str) -> float:
    """A moment typed as seconds or m:ss (h:mm:ss); `what` is "start" or "end"."""
    raw = raw.strip()
    if not raw:
        raise Invalid(MISSING_MOMENT[what])
    try:
        parts = [float(p) for p in raw.split(":")]
    except ValueError as exc:
        raise _not_a_moment(raw, what) from exc
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise _not_a_moment(raw, what)
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


@router.post("/calls/{call_id}/clips")
async def create_clip(request: Request, call_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    start, end = _seconds(str(form.get("start", "")), "start"), _seconds(str(form.get("end", "")), "end")
    title, note = str(form.get("title", "")), str(form.get("note", ""))

    def save() -> str:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            return clips.create_clip(session, who.principal, call_id, start, end, title, note).id

    clip_id = await run_in_threadpool(save)
    return RedirectResponse(f"/clips/{clip_id}", status_code=303)


@router.get("/clips/{clip_id}")
def clip_page(request: Request, clip_id: str, who: SignedIn) -> Response:
    p = who.principal
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        clip = clips.visible_clip(session, p, clip_id)
        call = clips.clip_call(session, clip)
        view = clips.clip_dict(session, p, clip)
        turns = clips.span_turns(session, clip, call)
        playlists = [pl for pl in clips.changeable_playlists(session, p)
                     if clip.id not in {c.id for c in clips.playlist_clips(session, pl.id)}]
        can_add = view["call_visible"] and may_clip_call(p, clips.call_owner_of(call))
    if call.audio_expired_at is not None:  # the same fact as domain_calls.expired_audio, in the page's language
        audio_note = tr(request, "The recording was deleted on %(date)s under the organization's retention policy.",
                        date=format_day(request_locale(request), call.audio_expired_at))
    else:
        audio_note = tr(request, "This call has no recording to play.")
    return render(request, "clip.html", {
        "clip": view, "turns": turns, "clock": clock, "has_audio": _playable(call),
        "audio_note": audio_note, "link": share_link(request, f"/clips/{clip.id}"),
        "playlists": playlists if can_add else [], "call_title": call.title if view["call_visible"] else None}, who)


@router.get("/clips/{clip_id}/audio")
def clip_audio(request: Request, clip_id: str, who: SignedIn) -> Response:
    """The clip's span of the recording, and nothing else (`service.web.clip_audio`)."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        clip = clips.visible_clip(session, who.principal, clip_id)
        call = clips.clip_call(session, clip)
        if call.media_kind != "audio" or not call.storage_key:
            raise NotFound(domain_calls.expired_audio(call) or N_("this call has no recording"))
        if call.audio_type is None:
            raise Conflict(N_("the recording did not decode as audio, so Talktrack does not play it back"))
        record(session, "call.audio", org_id=call.org_id, actor=Actor.of(who.principal), target_kind="call",
               target_id=call.id)
    key = (call.storage_key, clip.start_s, clip.end_s)
    data = CUTS.get(key)
    if data is None:
        try:
            with get_store(request.app.state.settings).local_copy(call.storage_key) as path:
                data = cut_wav(path, clip.start_s, clip.end_s)
        except FileNotFoundError as exc:
            raise NotFound(N_("the recording is no longer stored")) from exc
        except ClipAudioError as exc:
            raise Conflict(exc.args[0]) from exc  # its text, marked for translation
        CUTS.put(key, data)
    return bytes_audio_response(data, f"talktrack-clip-{clip.id}.wav", "audio/wav", request.headers.get("range"))


@router.post("/clips/{clip_id}/edit")
async def edit_clip(request: Request, clip_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    title, note = str(form.get("title", "")), str(form.get("note", ""))

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clips.update_clip(session, who.principal, clip_id, title=title, note=note, clear_note=True)

    await run_in_threadpool(save)
    return RedirectResponse(f"/clips/{clip_id}", status_code=303)


@router.post("/clips/{clip_id}/delete")
async def delete_clip(request: Request, clip_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def remove() -> str:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            call_id = clips.visible_clip(session, who.principal, clip_id).call_id
            open_call = bool(clips.calls_seen(session, who.principal, {call_id}))
            clips.delete_clip(session, who.principal, clip_id)
            return f"/calls/{call_id}#clips" if open_call else "/playlists"

    return RedirectResponse(await run_in_threadpool(remove), status_code=303)


@router.post("/clips/{clip_id}/playlist")
async def add_to_playlist(request: Request, clip_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    playlist_id = str(form.get("playlist_id", ""))

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clips.add_clip(session, who.principal, playlist_id, clip_id)

    await run_in_threadpool(save)
    return RedirectResponse(f"/playlists/{playlist_id}", status_code=303)


@router.get("/playlists")
def playlists_page(request: Request, who: SignedIn) -> Response:
    p = who.principal
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = clips.playlist_dicts(session, p, clips.list_playlists(session, p, limit=200))
    return render(request, "playlists.html", {
        "playlists": found, "clock": clock, "can_create": allowed(p, "playlist.write"),
        "can_org": allowed(p, "playlist.organization"), "in_team": p.team_id is not None}, who)


@router.post("/playlists")
async def create_playlist(request: Request, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    title, description = str(form.get("title", "")), str(form.get("description", ""))
    audience = str(form.get("audience", "team"))

    def save() -> str:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            return clips.create_playlist(session, who.principal, title, description, audience).id

    return RedirectResponse(f"/playlists/{await run_in_threadpool(save)}", status_code=303)


@router.get("/playlists/{playlist_id}")
def playlist_page(request: Request, playlist_id: str, who: SignedIn) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        playlist = clips.playlist_dict(session, who.principal, clips.visible_playlist(session, who.principal,
                                                                                      playlist_id))
    return render(request, "playlist.html", {"playlist": playlist, "clock": clock,
                                             "link": share_link(request, f"/playlists/{playlist_id}")}, who)


@router.post("/playlists/{playlist_id}/delete")
async def delete_playlist(request: Request, playlist_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def remove() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clips.delete_playlist(session, who.principal, playlist_id)

    await run_in_threadpool(remove)
    return RedirectResponse("/playlists", status_code=303)


@router.post("/playlists/{playlist_id}/clips/{clip_id}/remove")
async def remove_from_playlist(request: Request, playlist_id: str, clip_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def remove() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clips.remove_clip(session, who.principal, playlist_id, clip_id)

    await run_in_threadpool(remove)
    return RedirectResponse(f"/playlists/{playlist_id}", status_code=303)


@router.post("/playlists/{playlist_id}/clips/{clip_id}/move")
async def move_in_playlist(request: Request, playlist_id: str, clip_id: str, who: SignedIn) -> Response:
    """"Move up" / "Move down" on the playlist page (`clips.move_clip`: those who may change the playlist)."""
    form = await request.form()
    check_csrf(form, who)
    step = {"up": -1, "down": 1}.get(str(form.get("direction", "")), 0)  # anything else: 422, after the 403

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clips.move_clip(session, who.principal, playlist_id, clip_id, step)

    await run_in_threadpool(save)
    return RedirectResponse(f"/playlists/{playlist_id}#pc-{clip_id}", status_code=303)
