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
    NN_("%(num)d question left", "%(num)d questions left", n)   # a count, marked only: tr picks the form

`tr` of a string that is not in the catalogue (a domain error's own text) returns it unchanged.
Dates and numbers for people: `format_day`, `format_stamp`, `format_number` (English keeps the
ISO dates the pages always showed; Chinese gets CLDR's, e.g. 2024年5月3日 14:05). Inside a marked
message that is shown later, a date, an amount or a list of names is a `Day`, `Amount` or `Names`:
English when the message is a string, the reader's format when `tr` shows it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
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
# Between the items of a list in each language but English (", ").
LIST_SEPARATORS = {"zh_CN": "、"}
CATALOG_DIR = Path(__file__).resolve().parents[1] / "web" / "locale"
DOMAIN = "messages"


class Localized:
    """A value filled into a `Message` that reads differently per language (a date, an amount, a
    list): its English as a string, so the message's own text stays what it always was, and the
    reader's form where `tr` shows the message."""

    def in_locale(self, locale: str) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.in_locale(DEFAULT_LOCALE)


@dataclass(frozen=True)
class Day(Localized):
    """A date: 2024-05-03 in English, 2024年5月3日 in Chinese (`format_day`)."""

    value: date

    def in_locale(self, locale: str) -> str:
        return format_day(locale, self.value)


@dataclass(frozen=True)
class Amount(Localized):
    """A number with the locale's grouping (`format_number`): 40,000 (`decimals` fixes the digits)."""

    value: float
    decimals: int | None = None

    def in_locale(self, locale: str) -> str:
        return format_number(locale, self.value, self.decimals)


@dataclass(frozen=True)
class Names(Localized):
    """Names (people, competitors) as one list: "Gong, Chorus" in English, "Gong、Chorus" in Chinese."""

    items: tuple[str, ...]

    def in_locale(self, locale: str) -> str:
        return LIST_SEPARATORS.get(locale, ", ").join(self.items)


class Message(str):
    """English text that remembers its catalogue entry: a string everywhere (an API's JSON, a log),
    and `tr` translates it where a page or an e-mail shows it. A count's message (`NN_`) also keeps
    its plural msgid and the count, so `tr` picks the reader's form of it."""

    msgid: str
    params: dict[str, object]
    plural: str | None  # a count's plural msgid (`NN_`), else None
    num: float | None  # the count that picks the form

    def __new__(cls, msgid: str, params: dict[str, object] | None = None, plural: str | None = None,
                num: float | None = None) -> Message:
        values = dict(params or {})
        if plural is not None:
            values = {"num": num, **values}
        source = msgid if plural is None or num == 1 else plural  # English's two forms
        made = super().__new__(cls, source % values if values else source)
        made.msgid, made.params, made.plural, made.num = msgid, values, plural, num
        return made

    def in_locale(self, locale: str) -> str:
        """This message in `locale` (text the catalogue lacks stays English), its values in the
        locale's formats."""
        catalog = translations(locale)
        if self.plural is None:
            text = catalog.gettext(self.msgid)
        else:
            text = catalog.ngettext(self.msgid, self.plural, _form_count(self.num))
        if not self.params:
            return text
        return text % {k: _value_in(locale, v) for k, v in self.params.items()}


def _value_in(locale: str, value: object) -> object:
    """A message's value as `locale` reads it: a `Localized` in its format, a marked message (a
    label filled into a sentence) translated, anything else as it is."""
    if isinstance(value, Localized | Message):
        return value.in_locale(locale)
    return value


def _form_count(num: float | None) -> int:
    """The whole number gettext's plural rules choose a form by: the count itself, or, for a
    fraction (0.5 hours), 2, whose form is the one English and Chinese give fractions."""
    if num is None:
        return 2
    return int(num) if float(num).is_integer() else 2


def N_(message: str, **params: object) -> Message:
    """Marks `message` for extraction without translating it: a module-level label, or the text of
    an error raised where no request is at hand (`raise Invalid(N_("%(field)s is too long", field=f))`).
    It reads as English until shown: `tr(locale, it)` or `error_text(locale, exc)` translates it."""
    return Message(message, params)


def NN_(singular: str, plural: str, num: float, **params: object) -> Message:
    """`N_` for a count: `%(num)d` (and `params`) filled in, the English form picked by `num` now
    and the reader's form where `tr` shows it (`NN_("%(num)d question", "%(num)d questions", n)`).
    A fraction reads as many ("0.5 hours")."""
    return Message(singular, params, plural=plural, num=num)


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
    no params is returned as written: a lone % needs no doubling). A `Message` (from `N_`, `NN_`)
    brings its own params and count; text the catalogue does not know comes back unchanged."""
    if isinstance(message, Message) and not params:
        return message.in_locale(locale)
    text = translations(locale).gettext(message)
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
