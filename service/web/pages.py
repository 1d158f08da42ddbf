"""What every page handler shares: the signed-in person, rendering, CSRF checks, page errors.

A page is a surface like the JSON API: it resolves the person (`signed_in`), asks the domain
layer (which applies `service.core.access`), and renders a template. Nothing here decides who may
see what.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from service.core.access import ROLE_REACH
from service.core.errors import DomainError, Forbidden, Invalid
from service.core.i18n import N_, NC_
from service.core.sessions import SESSION_COOKIE, ResolvedSession, resolve_session
from service.web import i18n
from service.web.wording import plural, tracker_label, web_text

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals.update(plural=plural, tracker_label=tracker_label, web_text=web_text)
i18n.install(TEMPLATES.env)
STATIC_DIR = Path(__file__).parent / "static"
CSRF_FIELD = "csrf_token"
PRELOGIN_COOKIE = "tt_prelogin"  # double-submit token of the sign-in form (before any session)
STALE_FORM = N_("this form is out of date or was not sent by Talktrack (missing CSRF token): "
                "reload the page and try again")


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


async def signed_in(request: Request) -> ResolvedSession:
    """The signed-in person, or a redirect to `/login?next=...`."""
    resolved = await run_in_threadpool(resolve_session, request.app.state.engine,
                                       request.cookies.get(SESSION_COOKIE))
    if resolved is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    i18n.remember_user_locale(request, resolved.user.locale)  # their stored language wins (service.web.i18n)
    return resolved


SignedIn = Annotated[ResolvedSession, Depends(signed_in)]


def check_csrf(form: Any, who: ResolvedSession) -> None:
    """A state-changing form must carry the session's CSRF token (synchronizer token pattern)."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not secrets.compare_digest(sent, who.csrf_token):
        raise Forbidden(STALE_FORM)


def nav_items(who: ResolvedSession | None) -> list[tuple[str, str]]:
    if who is None:
        return []
    role = who.principal.role
    # The labels are translated where base.html shows them.
    items: list[tuple[str, str]] = [("/", N_("Calls")), ("/deals", N_("Deals")), ("/playlists", N_("Playlists")), ("/live", N_("Live call")),
             ("/me", N_("My trends")), ("/mentions", N_("Mentions"))]
    if role in ("coach", "admin"):
        items[4:4] = [("/inbox", N_("Review inbox")), ("/insights", N_("Team insights"))]
    if role == "admin":
        items.append(("/admin", N_("Admin")))
    return items


def render(request: Request, template: str, context: dict[str, Any], who: ResolvedSession | None = None,
           status_code: int = 200) -> Response:
    """The page in the request's language (`service.web.i18n`): its strings, dates and numbers."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    ctx = {"who": who, "user": who.user if who else None, "csrf_token": who.csrf_token if who else "",
           "nav": nav_items(who), "path": request.url.path, "here": here, **i18n.page_context(request), **context}
    with i18n.rendering_in(i18n.request_locale(request)):
        return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code)


# Codes the pages show as words, translated there with `pgettext(context, code)`:
# tests/service/test_i18n_catalog.py checks these cover every role, call status and outcome.
CODE_WORDS = (
    NC_("role", "admin"), NC_("role", "coach"), NC_("role", "rep"), NC_("role", "integration"),
    NC_("call status", "queued"), NC_("call status", "processing"), NC_("call status", "retrying"),
    NC_("call status", "done"), NC_("call status", "failed"),
    NC_("outcome", "won"), NC_("outcome", "lost"), NC_("outcome", "next step booked"), NC_("outcome", "none"),
    NC_("delivery status", "pending"), NC_("delivery status", "delivered"), NC_("delivery status", "failed"),
    NC_("said by", "anyone"), NC_("said by", "rep"), NC_("said by", "customer"),
    NC_("target", "call"), NC_("target", "deal"), NC_("target", "user"), NC_("target", "key"), NC_("target", "org"),
    NC_("deleted kind", "call"), NC_("deleted kind", "deal"), NC_("deleted kind", "person"),
    NC_("deleted kind", "retention"),
)

ERROR_TITLES = {404: N_("Not found"), 403: N_("Not allowed"), 409: N_("Not ready"), 422: N_("Cannot do that"),
                429: N_("Slow down"), 503: N_("Not available now")}


def error_page(request: Request, exc: DomainError, who: ResolvedSession | None = None) -> Response:
    """The error page; a message the catalogue knows (one marked N_ where it is raised) is translated,
    any other stays as the domain wrote it."""
    message = i18n.error_text(request, exc)
    message = for_people(message) if isinstance(exc, Forbidden) else message
    title = i18n.tr(request, ERROR_TITLES.get(exc.status_code, N_("Error")))
    return render(request, "error.html", {"title": title, "message": message}, who, status_code=exc.status_code)


_NEEDS = re.compile(r"\(needs ([a-z_]+(?: or [a-z_]+)*)\)")


def for_people(message: str) -> str:
    """A refusal as a page shows it to a person: "(needs admin or coach or integration)" names only
    the roles a person can hold (`ROLE_REACH`); an integration is an API key's role, not a person's."""
    def people_only(m: re.Match[str]) -> str:
        roles = [r for r in m.group(1).split(" or ") if r in ROLE_REACH]
        return f"(needs the {' or '.join(roles)} role)" if roles else "(no person's role may do this)"

    return _NEEDS.sub(people_only, message)


def public_base(request: Request) -> str:
    """The base of links people open (invite links, examples): `TALKTRACK_PUBLIC_URL` when it is
    set, else the address this request reached (its scheme, host and port), without the final /."""
    settings = request.app.state.settings
    if "public_url" in settings.model_fields_set:
        return str(settings.public_url).rstrip("/")
    return str(request.base_url).rstrip("/")


def login_redirect(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def safe_next(next_url: str | None) -> str:
    """Only a path on this site: an open redirect must not be built from `?next=`."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return "/"
    return next_url


def day_bound(value: str | None, end: bool = False) -> datetime | None:
    """A filter form's YYYY-MM-DD as a UTC instant: the day's start, or with `end` the next day's
    start (an exclusive bound); None for an empty field; `Invalid` (422) for anything else."""
    if not value:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(N_("%(value)r is not a date (YYYY-MM-DD)", value=value)) from exc
    start = datetime.combine(d, time.min, tzinfo=UTC)
    return start + timedelta(days=1) if end else start
