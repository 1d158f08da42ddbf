"""The languages of what Talktrack says to people (pages, page messages, e-mails): English, the
language the code is written in, and Simplified Chinese (`zh_CN`).

The words live in gettext catalogues in the repository: `service/web/locale/messages.pot` (every
marked English string, extracted) and `service/web/locale/<locale>/LC_MESSAGES/messages.po` (its
translations). A `.po` is read once per process (`translations`) and compiled in memory, so no
`.mo` binary is built or committed. `scripts/i18n.sh` re-extracts the `.pot` and updates the `.po`
files (docs/web-app.md, "Languages of the web app").

This module is the part without HTTP: the domain's e-mails (`service.domain.mention_mail`) use it
with the recipient's locale; pages use `service.web.i18n`, which picks the request's locale and puts
these functions into the templates. Marking a string (both are found by `pybabel extract`):

    tr(locale, "Deleted %(what)s.", what=name)           # translated now, placeholders by name
    ntr(locale, "%(num)d call", "%(num)d calls", n)     # a count: `num` is filled in
    LABELS = {"won": N_("Won")}                          # marked only; translate on use: tr(locale, LABELS[k])

`tr` of a string that is not in the catalogue (a domain error's own text) returns it unchanged.
Dates and numbers for people: `format_day`, `format_stamp`, `format_number` (English keeps the
ISO dates the pages always showed; Chinese gets CLDR's, e.g. 2024年5月3日 14:05).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

DEFAULT_LOCALE = "en"
LOCALES = ("en", "zh_CN")  # the source language first
# The language tag of each locale, as HTML's lang attribute and HTTP want it.
LANGUAGE_TAGS = {"en": "en", "zh_CN": "zh-CN"}
# Each language's own name (a language switch names each one in itself).
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}
CATALOG_DIR = Path(__file__).resolve().parents[1] / "web" / "locale"
DOMAIN = "messages"


class Message(str):
    """English text that remembers its catalogue entry: a string everywhere (an API's JSON, a log),
    and `tr` translates it where a page or an e-mail shows it."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: dict[str, object] | None = None) -> Message:
        text = msgid % params if params else msgid
        made = super().__new__(cls, text)
        made.msgid, made.params = msgid, dict(params or {})
        return made


def N_(message: str, **params: object) -> Message:
    """Marks `message` for extraction without translating it: a module-level label, or the text of
    an error raised where no request is at hand (`raise Invalid(N_("%(field)s is too long", field=f))`).
    It reads as English until shown: `tr(locale, it)` or `error_text(locale, exc)` translates it."""
    return Message(message, params)


def NC_(context: str, message: str) -> str:
    """`N_` with a context (`pgettext(context, message)` where it is shown): a code shown as a
    word, whose English may mean something else elsewhere ("done" as a call's status)."""
    return message


def known_locale(value: str | None) -> str | None:
    """`value` as one of `LOCALES` ("zh-CN", "zh_cn" -> "zh_CN"), or None."""
    if not value:
        return None
    wanted = value.strip().replace("-", "_").lower()
    return next((loc for loc in LOCALES if loc.lower() == wanted), None)


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The catalogue of `locale`, read from its `.po` and compiled in memory once per process;
    English (and anything unknown) translates to itself."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return NullTranslations()
    path = CATALOG_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def tr(locale: str, message: str, **params: object) -> str:
    """`message` in `locale`, with its `%(name)s` placeholders filled from `params` (a message with
    no params is returned as written: a lone % needs no doubling). A `Message` (from `N_`) brings
    its own params; text the catalogue does not know comes back unchanged."""
    msgid = message
    if isinstance(message, Message) and not params:
        msgid, params = message.msgid, message.params
    text = translations(locale).gettext(msgid)
    return text % params if params else text


def error_text(locale: str, exc: BaseException) -> str:
    """An error's message in `locale`: translated when it was raised with `N_(...)` or is a
    catalogue entry, else as it was written."""
    arg = exc.args[0] if len(exc.args) == 1 else None
    return tr(locale, arg if isinstance(arg, Message) else str(exc))


def ntr(locale: str, singular: str, plural: str, num: int, **params: object) -> str:
    """The form of a count's message for `num` in `locale`; `%(num)d` and `params` are filled in."""
    return translations(locale).ngettext(singular, plural, num) % {"num": num, **params}


def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale if locale in LOCALES else DEFAULT_LOCALE)


def format_day(locale: str, value: date | datetime) -> str:
    """A date: 2024-05-03 in English (what the pages always showed), 2024年5月3日 in Chinese."""
    if locale not in LOCALES or locale == DEFAULT_LOCALE:
        return value.strftime("%Y-%m-%d")
    return format_skeleton("yMMMd", value, locale=_babel_locale(locale))


def format_stamp(locale: str, value: datetime, seconds: bool = False) -> str:
    """A date and time of day: 2024-05-03 14:05 in English, 2024年5月3日 14:05 in Chinese
    (`seconds`: 14:05:09)."""
    if locale not in LOCALES or locale == DEFAULT_LOCALE:
        return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    loc = _babel_locale(locale)
    clock = format_time(value, "HH:mm:ss" if seconds else "HH:mm", locale=loc)
    pattern = str(loc.datetime_formats.get("medium", "{1} {0}"))
    return pattern.replace("{1}", format_day(locale, value)).replace("{0}", clock)


def format_number(locale: str, value: float | int | None, decimals: int | None = None, missing: str = "-") -> str:
    """A number with the locale's grouping and decimal signs (1,234 / 1,234.5); `decimals` fixes
    the digits after the point."""
    if value is None:
        return missing
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(locale))
