"""`/v1/live`: stream a call in over a WebSocket, get utterances and suggestions back as it goes;
`/v1/live/{call_id}/events`: the same events for clients that cannot hold a WebSocket.

Protocol (README, section "live"): the client sends `{"type": "start", "sample_rate": 16000,
"channels": 1|2, "rep_channel": 0, ...}`, then binary frames of interleaved 16-bit little-endian
PCM, then `{"type": "stop"}`. The server sends JSON events, each with `type` and `seq`: `started`,
`utterance`, `suggestion`, `metrics`, `error`, and last `ended` (the stored call's id and status).
The API key comes as `Authorization: Bearer <key>` or, for browsers, as `api_key` in `start`;
without a key, the web app's live page is authenticated by its session cookie, from its own Origin
only (`browser_principal`).

Wire-up: `app.include_router(live.router, prefix="/v1")`; the process-wide `LiveEngine` is made on
first use and kept in `app.state.live_engine`. Which calls are live, the caps and the events feed are
the live hub's (`app.state.live_hub`, `service.live.hub`): with a Redis broker every API process
serves every call's events, while the WebSocket (audio, recognition) stays where it was accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from models.base import new_id, utcnow
from service.api.deps import CurrentPrincipal, Principal, authenticate_key, bearer_token
from service.api.responses import API_ERRORS
from service.core import access, strict_json
from service.core.config import Settings
from service.core.errors import Invalid
from service.core.served_files import WAV
from service.core.sessions import SESSION_COOKIE, resolve_session
from service.domain.calls import NewCall, OutsideScope, call_owner, create_call
from service.domain.org_definitions import RepProfiles, live_rep_profiles, org_language
from service.live.guidance import LiveSetup, live_record, live_setup
from service.live.hub import LiveCapReached, LiveHub, Owner
from service.live.sessions import (
    MAX_FRAME_BYTES,
    LiveEngine,
    LiveProtocolError,
    LiveSession,
    StartRequest,
    parse_call_language,
)
from service.live.transport import CallLimits, FramePump
from service.storage import StorageUnavailable, get_store, watch_writer
from transcription.errors import ModelNotFoundError
from transcription.languages import ENGLISH

log = logging.getLogger(__name__)

router = APIRouter(tags=["live"], responses=API_ERRORS)

START_TIMEOUT_S = 10.0
SEND_DRAIN_S = 30.0


def live_engine(app: FastAPI) -> LiveEngine:
    """The app's live engine (one Whisper model and one worker thread per process)."""
    engine: LiveEngine | None = getattr(app.state, "live_engine", None)
    if engine is None:
        settings: Settings = app.state.settings
        # The multilingual model is joined into the data directory, as for the offline analysis.
        engine = LiveEngine(models_dir=str(settings.data_dir / "models"))
        app.state.live_engine = engine
    return engine


def live_hub(app: FastAPI) -> LiveHub:
    """The app's live hub (`create_app` makes it)."""
    hub: LiveHub = app.state.live_hub
    return hub


def may_see(principal: Principal, owner: Owner) -> bool:
    """The access policy's call-visibility rule for a live call."""
    return access.may_see_call(principal, access.CallOwner(owner.org_id, owner.team_id, owner.rep_user_id))


def resolve_owner(db: Engine, principal: Principal, start: StartRequest) -> Owner:
    """Whose call this is: the same rule as uploads (`service.domain.calls.call_owner`)."""
    with Session(db) as session:
        try:
            rep_user_id, team_id = call_owner(session, principal, start.rep_user_id)
        except OutsideScope as exc:
            raise LiveProtocolError("forbidden", str(exc)) from exc
        except Invalid as exc:
            raise LiveProtocolError("bad_start", str(exc)) from exc
    return Owner(principal.org_id, team_id, rep_user_id, access.uploader_of(principal))  # its uploader


def call_language(db: Engine, owner: Owner, start: StartRequest, query: str | None) -> str:
    """The spoken language of a live call: the start message's `language`, else the WebSocket URL's
    `language` query parameter, else the organization's default (`PUT /v1/language`), else English.
    "auto", "en", "zh" or another Whisper code; `bad_start` for one that is not a language."""
    if start.language is not None:
        return start.language
    if query is not None:
        return parse_call_language(query)
    with Session(db) as session:
        return org_language(session, owner.org_id) or ENGLISH


def rep_voice(db: Engine, owner: Owner, start: StartRequest) -> RepProfiles:
    """The voice profiles that tell this call's rep on mono (stereo has `rep_channel`)."""
    if start.channels != 1:
        return RepProfiles()
    with Session(db) as session:
        return live_rep_profiles(session, owner.org_id, owner.rep_user_id, start.rep)


def save_call(settings: Settings, db: Engine, session: LiveSession, temp_key: str,
              setup: LiveSetup | None = None) -> str | None:
    """Store the streamed audio as the call's recording (with its live cards when `setup` is
    given) and queue its offline analysis, like an upload (`service.domain.calls.create_call`).
    Returns the job id, or None (and stores nothing) when no audio arrived."""
    store = get_store(settings)
    if session.transcriber.duration_s <= 0:
        store.discard(temp_key)
        return None
    size, sha = store.digest(temp_key)
    o, s = session.owner, session.start
    new = NewCall(org_id=o.org_id, team_id=o.team_id, rep_user_id=o.rep_user_id, added_by_key_id=o.key_id,
                  temp_key=temp_key, suffix=".wav", media_kind="audio", size_bytes=size, sha256=sha,
                  audio_type=WAV,  # written by Talktrack itself
                  title=s.title or "Live call", rep_name=s.rep, rep_channel=s.rep_channel or 0,
                  started_at=session.started_at, deal_id=s.deal_id, crm_ids=s.crm_ids, call_id=session.call_id,
                  language=session.language.requested)
    rows = [] if setup is None else [live_record(session.call_id, o.org_id, setup, session.coach.cards)]
    with Session(db, expire_on_commit=False) as db_session:
        return create_call(db_session, store, new, rows).job_id


# What sending to a client that is gone raises: Starlette's WebSocketDisconnect (it turns the
# server's ClientDisconnected, an OSError, into one), an OSError from the transport itself, and
# RuntimeError for a send after the socket was closed.
CLIENT_GONE = (WebSocketDisconnect, OSError, RuntimeError)


async def _send_events(ws: WebSocket, hub: LiveHub, call_id: str) -> None:
    """Forward the call's events to the socket until the `ended` event has gone out, or until the
    client is gone: a dropped connection is one way calls end, not an error (the call is stored)."""
    seq = 0
    while True:
        page = await hub.wait_events(call_id, seq, timeout=5.0)
        if page is None:
            return
        for event in page.events:
            try:
                await ws.send_text(json.dumps(event, separators=(",", ":")))
            except CLIENT_GONE:
                return
            seq = event["seq"] + 1
            if event["type"] == "ended":
                return


def browser_principal(ws: WebSocket) -> Principal | None:
    """The signed-in person behind the session cookie, for the web app's live call page.

    Browsers send the cookie with any same-site WebSocket handshake (SameSite does not separate
    sibling subdomains) and WebSockets are not bound by CORS, so the handshake must come from this
    site's own pages: its Origin must be the Host it was sent to, or `TALKTRACK_PUBLIC_URL` (behind
    a proxy that rewrites Host). Cross-site WebSocket hijacking is refused with `forbidden`."""
    origin = (ws.headers.get("origin") or "").lower()
    host = (ws.headers.get("host") or "").lower()
    public = urlsplit(ws.app.state.settings.public_url.lower())
    same_host = bool(host) and urlsplit(origin).netloc == host
    if not origin or not (same_host or origin == f"{public.scheme}://{public.netloc}"):
        raise LiveProtocolError("forbidden", "a session cookie is accepted only from Talktrack's own pages "
                                "(the Origin header must be this site); other clients send an API key")
    resolved = resolve_session(ws.app.state.engine, ws.cookies.get(SESSION_COOKIE))
    return resolved.principal if resolved is not None else None


async def _start(ws: WebSocket) -> tuple[StartRequest, Principal]:
    try:
        first = await asyncio.wait_for(ws.receive(), START_TIMEOUT_S)
    except TimeoutError as exc:
        raise LiveProtocolError("bad_start", f"no start message within {START_TIMEOUT_S:g} s") from exc
    if first.get("type") == "websocket.disconnect":
        raise WebSocketDisconnect()
    if first.get("text") is None:
        raise LiveProtocolError("bad_start", 'the first message must be the JSON {"type": "start", ...}')
    try:
        msg = strict_json.loads(first["text"])
    except strict_json.StrictJsonError as exc:
        raise LiveProtocolError("bad_start", f"the start message is not acceptable JSON: {exc}") from exc
    start = StartRequest.parse(msg)
    settings: Settings = ws.app.state.settings
    token = bearer_token(ws.headers.get("authorization")) or start.api_key
    if token is None and ws.cookies.get(SESSION_COOKIE):
        principal = await run_in_threadpool(browser_principal, ws)  # the live call page
    else:
        principal = await run_in_threadpool(authenticate_key, ws.app.state.engine, token, settings.key_cache_s,
                                              ws.app.state.key_revocations)
    if principal is None:
        raise LiveProtocolError("unauthorized", "missing or invalid API key (Authorization: Bearer <key>, "
                                "or api_key in the start message), or the browser session has expired")
    return start, principal


async def _error_and_close(ws: WebSocket, exc: LiveProtocolError) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(json.dumps({"type": "error", "code": exc.code, "message": exc.message}))
        await ws.close(code=exc.close_code, reason=exc.code)


@router.websocket("/live")
async def live_socket(ws: WebSocket) -> None:
    """Stream a live call (see the module docstring for the protocol)."""
    await ws.accept()
    try:
        start, principal = await _start(ws)
        db: Engine = ws.app.state.engine
        owner = await run_in_threadpool(resolve_owner, db, principal, start)
        setup = await run_in_threadpool(live_setup, db, owner.org_id, owner.team_id)  # cards and the holdout draw
        voice = await run_in_threadpool(rep_voice, db, owner, start)
        language = await run_in_threadpool(call_language, db, owner, start, ws.query_params.get("language"))
    except LiveProtocolError as exc:
        await _error_and_close(ws, exc)
        return
    except WebSocketDisconnect:
        return
    settings: Settings = ws.app.state.settings
    hub = live_hub(ws.app)
    call_id = new_id()
    try:  # the caps first: a refused call costs no model load and no audio file
        await run_in_threadpool(hub.admit, call_id, owner, settings.live_max_calls, settings.live_max_calls_per_org)
    except LiveCapReached as exc:
        await _error_and_close(ws, LiveProtocolError("too_many_live_calls", str(exc), 1013))
        return
    except Exception:
        log.exception("live call %s: the live hub refused it", call_id)
        await _error_and_close(ws, LiveProtocolError("internal_error", "live calls are unavailable right now "
                                                     "(their shared state cannot be reached)", 1011))
        return
    try:
        engine = live_engine(ws.app)
        try:
            store = get_store(settings)
            sink, temp_key = store.open_temp(background=True)  # parts go to S3 off the intake thread
        except Exception:
            log.exception("live call %s: its recording cannot be stored", call_id)
            with contextlib.suppress(Exception):
                await run_in_threadpool(hub.release, call_id)
            await _error_and_close(ws, LiveProtocolError(
                "storage_unavailable", "the recording cannot be stored right now; try again in a minute", 1011))
            return

        def make_session() -> LiveSession:
            return LiveSession(engine, hub, call_id, owner, start, sink, rules=setup.rules, playbook=setup.playbook,
                               insights=setup.insights, held_out=setup.held_out, rep_voice=voice,
                               language=language)

        try:
            session: LiveSession = await asyncio.wrap_future(engine.submit(make_session))
            watch_writer(sink, partial(_storage_notice, session))
            session.started_at = utcnow()
            await run_in_threadpool(session.publish, {
                "type": "started", "call_id": call_id, "sample_rate": start.sample_rate, "channels": start.channels,
                "rep_channel": start.rep_channel, "language": language, "rules": setup.rules.to_dict()})
        except Exception as exc:
            unavailable = isinstance(exc, ModelNotFoundError)  # the base model (missing or damaged), for a language
            if not unavailable:
                log.exception("live call %s could not start", call_id)
            sink.close()
            store.discard(temp_key)
            with contextlib.suppress(Exception):
                await run_in_threadpool(hub.release, call_id)
            await _error_and_close(ws, LiveProtocolError("language_unavailable", str(exc), 1011) if unavailable
                                   else LiveProtocolError("internal_error", "the live call could not start", 1011))
            return
        sender = asyncio.create_task(_send_events(ws, hub, call_id))
        pump = FramePump(session, engine.ingest_pool)  # frames are fed off the event loop, in order, bounded
        limits = CallLimits.of(settings, start.channels)
        failure: LiveProtocolError | None = None
        reason = "stop"
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(ws.receive(), limits.seconds_left())
                except TimeoutError:
                    limits.seconds_left()  # raises the call_limit error
                    continue
                if msg["type"] == "websocket.disconnect":
                    reason = "disconnect"
                    break
                data = msg.get("bytes")
                if data is not None:
                    if len(data) > MAX_FRAME_BYTES:
                        raise LiveProtocolError("frame_too_large",
                                                f"audio frames must be at most {MAX_FRAME_BYTES} bytes", 1009)
                    limits.add(len(data))
                    await pump.put(data)  # waits while this call's queue is full: backpressure
                    continue
                try:
                    control = strict_json.loads(msg.get("text") or "")
                except strict_json.StrictJsonError:
                    control = None
                if isinstance(control, dict) and control.get("type") == "stop":
                    break
                await _report(session, {"type": "error", "code": "bad_message",
                                        "message": 'text messages after start must be {"type": "stop"}'})
        except LiveProtocolError as exc:
            failure, reason = exc, exc.code
            await _report(session, {"type": "error", "code": exc.code, "message": exc.message})
        except WebSocketDisconnect:
            reason = "disconnect"
        await pump.close()
        await _end(ws, session, settings, temp_key, reason, setup)
        if reason != "disconnect":
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sender, SEND_DRAIN_S)
            with contextlib.suppress(Exception):
                await ws.close(code=failure.close_code if failure else 1000)
        sender.cancel()
        if sender.done() and not sender.cancelled() and sender.exception() is not None:
            log.warning("live call %s: its events stopped reaching the socket: %r", call_id, sender.exception())
    finally:  # a handler that raised or was cancelled still frees its slot, at once
        await _free_slot(hub, call_id)


async def _free_slot(hub: LiveHub, call_id: str) -> None:
    """End the call in the hub if its handler did not (the normal paths end or release it first)."""
    ended = {"type": "ended", "call_id": call_id, "status": "failed", "reason": "internal_error"}
    try:
        if await asyncio.shield(run_in_threadpool(hub.abandon, call_id, ended)):
            log.error("live call %s: its handler stopped without ending it; its slot is freed", call_id)
    except Exception:
        log.exception("live call %s: could not free its slot (a shared hub frees it when its lease runs out)",
                      call_id)


def _storage_notice(session: LiveSession, code: str, message: str) -> None:
    """Tell the call that its recording's storage fell behind, caught up, or lost the recording (on
    the upload thread). The intake never waits for storage; this is how the call hears of it."""
    try:
        session.publish({"type": "error" if code == "storage_failed" else "warning", "code": code,
                         "message": message})
    except Exception:
        log.exception("live call %s: could not publish %s", session.call_id, code)


async def _report(session: LiveSession, event: dict[str, Any]) -> None:
    """Publish an error event; if even that fails (the shared Redis is down) the call still ends and is stored."""
    try:
        await run_in_threadpool(session.publish, event)
    except Exception:
        log.exception("live call %s: could not publish %s", session.call_id, event.get("code"))


async def _end(ws: WebSocket, session: LiveSession, settings: Settings, temp_key: str, reason: str,
               setup: LiveSetup) -> None:
    """Finish the transcript, store the call, queue its analysis, publish `ended`."""
    duration = await run_in_threadpool(session.finish)
    job_id: str | None = None
    error: str | None = None
    try:
        job_id = await run_in_threadpool(save_call, settings, ws.app.state.engine, session, temp_key, setup)
    except StorageUnavailable as exc:  # said during the call already (`storage_failed`), or now
        log.warning("live call %s could not be stored: %s", session.call_id, exc)
        error = str(exc)
        await run_in_threadpool(get_store(settings).discard, temp_key)
    except Exception:
        log.exception("live call %s could not be stored", session.call_id)
        error = "the call could not be stored"
        get_store(settings).discard(temp_key)  # no leftover temp object
    if job_id is not None:
        try:
            await run_in_threadpool(ws.app.state.dispatcher.submit_job, job_id)
        except Exception:  # the broker is down: the job is in the database and a sweeper sends it
            log.warning("could not dispatch job %s now; the sweeper will", job_id, exc_info=True)
    status = "queued" if job_id is not None else ("empty" if duration <= 0 else "failed")
    await run_in_threadpool(session.end, {
        "type": "ended", "call_id": session.call_id, "status": status, "reason": reason,
        "duration_s": round(duration, 3), "bytes_received": session.bytes_received,
        "frames_received": session.frames_received, **({"error": error} if error else {})})


@router.get(
    "/live/{call_id}/events",
    summary="Events of a live call (long poll, or server-sent events with Accept: text/event-stream)",
    responses={404: {"description": "no live call with this id visible to this key"}},
)
async def live_events(
    call_id: str, request: Request, principal: CurrentPrincipal,
    since: Annotated[int, Query(ge=0, description="first event number to return")] = 0,
    wait: Annotated[float, Query(ge=0, le=60, description="long poll: seconds to wait for an event")] = 20.0,
) -> Any:
    """The events numbered `since` and later. JSON (long poll): waits up to `wait` seconds for at
    least one, returns `{"call_id", "live", "events", "next"}`; poll again with `since=next`. With
    `Accept: text/event-stream`: a server-sent event stream until the call has ended. Any API
    process answers for any call when they share a Redis broker."""
    hub = live_hub(request.app)
    info = await hub.lookup(call_id)
    if info is None or not may_see(principal, info.owner):
        raise HTTPException(status_code=404, detail="live call not found")
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_sse(hub, call_id, since, request), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    page = await hub.wait_events(call_id, since, wait)
    if page is None:  # expired since the lookup
        raise HTTPException(status_code=404, detail="live call not found")
    nxt = page.events[-1]["seq"] + 1 if page.events else since
    return {"call_id": call_id, "live": not page.ended, "events": page.events, "next": nxt}


async def _sse(hub: LiveHub, call_id: str, since: int, request: Request) -> AsyncIterator[str]:
    seq = since
    while not await request.is_disconnected():
        page = await hub.wait_events(call_id, seq, timeout=15.0)
        if page is None:  # expired, or its process died
            return
        if not page.events:
            if page.ended:
                return
            yield ": keep-alive\n\n"
            continue
        for event in page.events:
            seq = event["seq"] + 1
            yield f"id: {event['seq']}\nevent: {event['type']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"
            if event["type"] == "ended":
                return


__all__ = ["browser_principal", "live_engine", "live_hub", "may_see", "router"]
