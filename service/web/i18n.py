"""Pages in the reader's language: English or Simplified Chinese (`service.core.i18n` holds the
catalogues and the formatting; this module picks the request's locale and wires Jinja).

Which language a request gets (`request_locale`): the signed-in person's stored choice
(`User.locale`, which `pages.signed_in` hands over with `remember_user_locale`), else the `tt_lang`
cookie the language switch at the foot of every page sets (`POST /language`,
`service.web.auth_pages`, which also stores it on the signed-in person), else the best match of the
browser's `Accept-Language` (zh, zh-CN, zh-Hans, zh-SG, and zh-TW/zh-HK too, since only Simplified
Chinese is offered -> zh_CN; en-* -> en), else English. `<html lang>` follows it (`lang`).

The page scripts' words (`service.web.js_messages`) reach the browser as a table in every page
(`js_table`, `<script type="application/json" id="i18n">`), read by `static/js/i18n.js`.

Marking a string, in a template (Jinja's i18n extension, newstyle gettext, trimmed blocks):

    {{ _("Calls") }}
    {{ _("Deal %(id)s", id=view.deal_id) }}          placeholders by name, never `~` concatenation
    {% trans count=n %}{{ count }} call{% pluralize %}{{ count }} calls{% endtrans %}      a count
    {{ translated(labels[code]) }}                    text from Python (a label marked N_ there): looked
                                                      up, never %-formatted; unknown text stays as it is
    {{ pgettext("call status", c.status) }}           a code shown as a word (marked NC_ in Python)
    {{ format_day(d) }} {{ format_stamp(dt) }} {{ format_stamp(dt, seconds=True) }} {{ format_number(n) }}

A literal % inside `_()` is written %% (newstyle gettext always formats). In a page handler:

    from service.web.i18n import ntr, tr
    tr(request, "Too many sign-in attempts. Try again in %(seconds)d seconds.", seconds=n)
    ntr(request, "%(num)d call", "%(num)d calls", n)
    DONE = {"saved": N_("Saved.")} ... tr(request, DONE[key])      (N_, NC_ from service.core.i18n)
    WORDS = (NC_("call status", "done"), ...)                        codes a template shows with pgettext
    raise Invalid(N_("%(field)s is too long", field=f))              no request at hand: error_page and
                                                                     error_text(request, exc) translate it

Then run `scripts/i18n.sh` (re-extracts `messages.pot`, updates each `.po`), write the new
translations in `service/web/locale/zh_CN/LC_MESSAGES/messages.po`, and run
`tests/service/test_i18n_catalog.py` (every string translated, placeholders alike, `.pot` current).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from jinja2 import Environment
from starlette.requests import Request

from service.core import i18n as core
from service.core.i18n import DEFAULT_LOCALE, LANGUAGE_NAMES, LANGUAGE_TAGS, LOCALES, known_locale
from service.web import js_messages

LANG_COOKIE = "tt_lang"
LANG_COOKIE_DAYS = 365
_rendering: ContextVar[str] = ContextVar("talktrack_page_locale", default=DEFAULT_LOCALE)
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")


def accept_language_locale(header: str | None) -> str | None:
    """The locale of `LOCALES` an `Accept-Language` header prefers most, or None. Every Chinese
    tag (zh, zh-CN, zh-Hans, zh-SG, zh-TW, zh-HK) is zh_CN: Simplified is the only Chinese offered."""
    if not header:
        return None
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:30]):
        tag, _, rest = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.match(tag):
            continue
        q = 1.0
        param = rest.strip()
        if param.startswith("q="):
            try:
                q = float(param[2:])
            except ValueError:
                continue
        if q > 0:
            wanted.append((-q, i, tag.lower()))
    for _q, _i, tag in sorted(wanted):
        primary = tag.split("-")[0]
        if primary == "zh":
            return "zh_CN"
        if primary == "en":
            return "en"
    return None


def request_locale(request: Request) -> str:
    """The locale of this request's pages (the signed-in person's stored choice, else the cookie,
    else the browser, else English); computed once."""
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    locale = (known_locale(getattr(request.state, "user_locale", None))
              or known_locale(request.cookies.get(LANG_COOKIE))
              or accept_language_locale(request.headers.get("accept-language")) or DEFAULT_LOCALE)
    request.state.locale = locale
    return locale


def remember_user_locale(request: Request, stored: str | None) -> None:
    """The signed-in person's stored language (`User.locale`, None: not chosen): it wins over the
    cookie and the browser for the rest of this request."""
    request.state.user_locale = known_locale(stored)
    request.state.locale = None  # computed again with it


def tr(request: Request, message: str, **params: object) -> str:
    """`message` in the request's language (see `service.core.i18n.tr`)."""
    return core.tr(request_locale(request), message, **params)


def ntr(request: Request, singular: str, plural: str, num: int, **params: object) -> str:
    """A count's message in the request's language (see `service.core.i18n.ntr`)."""
    return core.ntr(request_locale(request), singular, plural, num, **params)


def ptr(request: Request, context: str, message: str) -> str:
    """A code shown as a word (`pgettext`: "role", "rep") in the request's language."""
    return str(core.translations(request_locale(request)).pgettext(context, message))


def error_text(request: Request, exc: BaseException) -> str:
    """An error's message in the request's language (see `service.core.i18n.error_text`)."""
    return core.error_text(request_locale(request), exc)


def page_context(request: Request) -> dict[str, Any]:
    """What base.html needs: the locale, `<html lang>`, the language switch's choices and the page
    scripts' words."""
    locale = request_locale(request)
    return {"locale": locale, "lang": LANGUAGE_TAGS[locale], "js_messages": js_table(locale),
            "languages": [(loc, LANGUAGE_TAGS[loc], LANGUAGE_NAMES[loc]) for loc in LOCALES]}


@functools.cache
def js_table(locale: str) -> dict[str, str]:
    """The page scripts' words in `locale` (`service.web.js_messages`): English msgid -> text, and
    "context\\x04code" -> word for codes. Empty for English: the scripts' own text is the English."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return {}
    catalog = core.translations(locale)
    table = {m.msgid: catalog.gettext(m.msgid) for m in js_messages.MESSAGES}
    for context, codes in js_messages.CODED:
        table.update({f"{context}\x04{code}": str(catalog.pgettext(context, code)) for code in codes})
    return table


@contextmanager
def rendering_in(locale: str) -> Iterator[None]:
    """Templates rendered inside this block speak `locale` (Starlette renders a TemplateResponse
    when it is built, in the handler's thread, so a context variable reaches every macro and
    include)."""
    token = _rendering.set(locale)
    try:
        yield
    finally:
        _rendering.reset(token)


def _gettext(message: str) -> str:
    return core.translations(_rendering.get()).gettext(message)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return core.translations(_rendering.get()).ngettext(singular, plural, num)


def _pgettext(context: str, message: str) -> str:
    return str(core.translations(_rendering.get()).pgettext(context, message))


def _npgettext(context: str, singular: str, plural: str, num: int) -> str:
    return str(core.translations(_rendering.get()).npgettext(context, singular, plural, num))


def _translated(text: str | None) -> str:
    return core.translations(_rendering.get()).gettext(text) if text else ""


def _format_day(value: date | datetime) -> str:
    return core.format_day(_rendering.get(), value)


def _format_stamp(value: datetime, seconds: bool = False) -> str:
    return core.format_stamp(_rendering.get(), value, seconds)


def _format_number(value: float | int | None, decimals: int | None = None) -> str:
    return core.format_number(_rendering.get(), value, decimals)


def install(env: Environment) -> None:
    """Jinja's i18n extension on the pages' environment, with gettext in the rendering locale,
    and the locale's date and number formats (`format_day`, `format_stamp`, `format_number`)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks and indents are one space
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext)
    env.globals.update(translated=_translated, format_day=_format_day, format_stamp=_format_stamp,
                       format_number=_format_number)
