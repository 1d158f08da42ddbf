"""Sign-in, sign-out and invite pages, and the language switch (`POST /language`).

Sign-in is rate-limited per account and per address (token buckets: in this process, or shared by
every API process through the Redis broker when there is one, `service.core.rate_limits`); a wrong
email and a wrong password get the same answer and cost the same time.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from models import User
from service.core.audit import Actor, record
from service.core.client_address import client_address
from service.core.config import Settings
from service.core.errors import Forbidden, Invalid
from service.core.i18n import N_, known_locale
from service.core.rate_limits import RateLimiter, make_rate_limiter
from service.core.sessions import (
    MIN_PASSWORD_LENGTH,
    SESSION_COOKIE,
    PasswordError,
    ResolvedSession,
    accept_invite,
    check_password,
    end_session,
    invited_user,
    start_session,
)
from service.web.i18n import LANG_COOKIE, LANG_COOKIE_DAYS, error_text, tr
from service.web.pages import PRELOGIN_COOKIE, STALE_FORM, SignedIn, check_csrf, render, safe_next

router = APIRouter(include_in_schema=False)


def _limiters(request: Request) -> tuple[RateLimiter, RateLimiter]:
    state = request.app.state
    if not hasattr(state, "login_limiters"):
        per = max(1, state.settings.login_attempts_per_minute)
        state.login_limiters = (make_rate_limiter(state.shared_redis, "login-account", per, per),
                                make_rate_limiter(state.shared_redis, "login-address", per * 4, per * 4))
    limiters: tuple[RateLimiter, RateLimiter] = state.login_limiters
    return limiters


def _set_prelogin(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(PRELOGIN_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies(),
                        max_age=3600, path="/login")


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    token = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"next": safe_next(next), "prelogin": token, "error": None})
    _set_prelogin(response, token, request.app.state.settings)
    return response


@router.post("/login")
async def login(request: Request, email: Annotated[str, Form(max_length=320)],
                password: Annotated[str, Form(max_length=1024)], prelogin: Annotated[str, Form(max_length=100)] = "",
                next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(PRELOGIN_COOKIE) or ""
    target = safe_next(next)

    def again(message: str, status_code: int) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", {"next": target, "prelogin": token, "error": message,
                                                  "email": email}, status_code=status_code)
        _set_prelogin(response, token, settings)
        return response

    if not cookie or not secrets.compare_digest(cookie, prelogin):
        return again(tr(request, "The sign-in form expired. Please try again."), 403)
    by_account, by_address = _limiters(request)
    address = client_address(request)  # X-Forwarded-For only from TALKTRACK_TRUSTED_PROXIES
    wait = max(await by_account.check("acct:" + email.strip().lower()), await by_address.check("addr:" + address))
    if wait > 0:
        response = again(tr(request, "Too many sign-in attempts. Try again in %(seconds)d seconds.",
                               seconds=int(wait) + 1), 429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response

    def _check() -> tuple[str, float] | None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            user = check_password(session, email, password)
            if user is None:
                # Recorded for an unknown address too (with no organization), so both cost the same.
                known = session.exec(select(User).where(col(User.email) == email.strip().lower())).first()
                record(session, "signin.failed", org_id=known.org_id if known else None, actor=Actor("web"),
                       target_kind="user" if known else None, target_id=known.id if known else None, ip=address)
                return None
            started = start_session(session, user, settings.session_hours, ip=address)
            record(session, "signin", org_id=user.org_id, actor=Actor("web", user_id=user.id), target_kind="user",
                   target_id=user.id, ip=address)
            return started.token, settings.session_hours

    result = await run_in_threadpool(_check)
    if result is None:
        return again(tr(request, "Wrong e-mail or password."), 401)
    token, hours = result
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies(),
                        max_age=int(hours * 3600), path="/")
    response.delete_cookie(PRELOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, who: SignedIn) -> Response:
    check_csrf(await request.form(), who)
    await run_in_threadpool(end_session, request.app.state.engine, who.session_id)
    await run_in_threadpool(_record_signout, request, who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _record_signout(request: Request, who: ResolvedSession) -> None:
    with Session(request.app.state.engine) as session:
        record(session, "signout", org_id=who.principal.org_id, actor=Actor.of(who.principal), target_kind="user",
               target_id=who.principal.user_id, ip=client_address(request))


@router.get("/invite/{token}")
def invite_form(request: Request, token: str) -> Response:
    with Session(request.app.state.engine) as session:
        found = invited_user(session, token)
        name = found[1].name if found else None
        email = found[1].email if found else None
    if found is None:
        return render(request, "error.html", {
            "title": tr(request, "Invite not valid"),
            "message": tr(request, "This invite link was used already or has expired. Ask your admin for a new one.")},
            status_code=404)
    return render(request, "invite.html", {"token": token, "name": name, "email": email, "error": None})


@router.post("/invite/{token}")
def invite_accept(request: Request, token: str, password: Annotated[str, Form(max_length=1024)],
                  password2: Annotated[str, Form(max_length=1024)]) -> Response:
    # The unguessable one-time token itself is what authorises this form.
    def used_up() -> Response:
        return render(request, "error.html", {"title": tr(request, "Invite not valid"),
                                              "message": tr(request, "This invite link was used already or has expired.")},
                      status_code=404)

    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = invited_user(session, token)
        if found is None:
            return used_up()
        user = found[1]
        error = None
        if password != password2:
            error = tr(request, "The two passwords differ.")
        else:
            try:
                if accept_invite(session, token, password) is None:  # another request used it meanwhile
                    return used_up()
            except PasswordError as exc:
                error = (tr(request, "a password needs at least %(count)d characters", count=MIN_PASSWORD_LENGTH)
                         if len(password) < MIN_PASSWORD_LENGTH else error_text(request, exc))
        if error:
            return render(request, "invite.html", {"token": token, "name": user.name, "email": user.email,
                                                   "error": error}, status_code=422)
        # The person just proved they hold the one-time link and chose a password: they are signed in.
        started = start_session(session, user, settings.session_hours, ip=client_address(request))
        record(session, "signin", org_id=user.org_id, actor=Actor("web", user_id=user.id), target_kind="user",
               target_id=user.id, detail={"invite": True}, ip=client_address(request))
    response = RedirectResponse("/?welcome=1", status_code=303)
    response.set_cookie(SESSION_COOKIE, started.token, httponly=True, samesite="lax", secure=settings.secure_cookies(),
                        max_age=int(settings.session_hours * 3600), path="/")
    return response


# --- The language switch (the foot of every page; service.web.i18n) -----------------------------

def _chosen_locale(form: Any) -> str:
    locale = known_locale(str(form.get("lang") or ""))
    if locale is None:
        raise Invalid(N_("Talktrack speaks English (en) and Simplified Chinese (zh_CN) only"))
    return locale


def _language_chosen(request: Request, form: Any) -> Response:
    locale = _chosen_locale(form)
    settings: Settings = request.app.state.settings
    next_value = form.get("next")
    response = RedirectResponse(safe_next(next_value if isinstance(next_value, str) else None), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, max_age=LANG_COOKIE_DAYS * 86400, path="/", httponly=True,
                        samesite="lax", secure=settings.secure_cookies())
    return response


@router.post("/language")
async def choose_language(request: Request, who: SignedIn) -> Response:
    """The signed-in person's language: stored on them (`User.locale`: their pages on every browser,
    and their mention e-mails) and in this browser's `tt_lang` cookie, then back."""
    form = await request.form()
    check_csrf(form, who)
    locale = _chosen_locale(form)

    def store() -> None:
        with Session(request.app.state.engine) as session:
            user = session.get(User, who.user.id)
            if user is not None and user.locale != locale:
                user.locale = locale
                session.add(user)
                session.commit()

    await run_in_threadpool(store)
    return _language_chosen(request, form)


@router.post("/login/language")
async def choose_language_signed_out(request: Request) -> Response:
    """The same on the sign-in page, whose form carries the sign-in form's token (a double-submit
    cookie scoped to /login) instead of a session's."""
    form = await request.form()
    cookie, sent = request.cookies.get(PRELOGIN_COOKIE) or "", form.get("prelogin")
    if not cookie or not isinstance(sent, str) or not secrets.compare_digest(cookie, sent):
        raise Forbidden(STALE_FORM)
    return _language_chosen(request, form)
