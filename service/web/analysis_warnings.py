"""An analysis's warnings ("no speech found", "speech in German (de, p=0.97) from 0:40 to 1:05 ...")
in the reader's language, on the call page.

The libraries (`transcription`, `nlp`, `coaching`) write each warning in English from a module-level
template with named fields (`transcript_io.UNNAMED_VTT_WARNING`, `unheard.UNHEARD_WARNING`, ...), and
the analysis JSON and the API keep that English. They must not import the service, so the words live
here, in one table (`rows`): each template beside a marked message (`N_`) with the same fields as
`%(field)s`, whose English is what the English page shows of the warning (`web_text`: without its
command-line advice; tests/service/web/test_call_warnings.py keeps each in step with its template
and fails on a library template that has no row).

A stored warning is recognised against the templates themselves (each compiled to a pattern,
`service.core.template_patterns.template_pattern`), its values taken out and filled into the
reader's message, a language named in the reader's language (`LanguageName`) and a list of names
with the reader's separator (`Names`). An English page shows the warning as `web_text` always did;
a warning no template matches (an uploaded transcript JSON's own, an older wording) is shown that
way in every language. The matching (`recognised`, `part_of` for a field that is itself such text,
`text_in`) serves other tables of library text too (`service.web.library_text`: the roles note's
`why`, a band's source).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from babel import Locale

from service.core.i18n import DEFAULT_LOCALE, LOCALES, N_, Localized, Message, Names, tr
from service.core.template_patterns import template_pattern
from service.web.wording import web_text
from transcription.languages import LANGUAGE_NAMES

_CODES = {name: code for code, name in LANGUAGE_NAMES.items()}  # "German" -> "de"


@dataclass(frozen=True)
class LanguageName(Localized):
    """A language as a warning names it: its English name ("German"), or its code where it has none
    (`transcription.languages.language_name`); in another language, that language's own word for it
    (德语), or the English where the locale's data has none."""

    english: str

    def in_locale(self, locale: str) -> str:
        if locale == DEFAULT_LOCALE or locale not in LOCALES:
            return self.english
        code = _CODES.get(self.english, self.english)
        return str(Locale.parse(locale).languages.get(code) or self.english)


def _names(text: str) -> Names:
    """Names listed with ", " (the speakers of a transcript) as one `Names`."""
    return Names(tuple(text.split(", ")))


@dataclass(frozen=True)
class Row:
    """One library warning: its English `template` (the library's constant, `str.format` fields),
    the same warning as a marked `message` (`%(field)s` for each field; its English is the
    template's as the English page shows it), and how a field's text is read where it is more than
    text (`values`: a language's name, a list of names)."""

    template: str
    message: Message
    values: Mapping[str, Callable[[str], object]] = field(default_factory=dict)

    def fields(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.template) if name}

    def filled(self, found: Mapping[str, str]) -> Message | None:
        """The message with the values of a warning written from this template; None where a value
        read as a part of another table (`part_of`) is none of its templates."""
        params = {k: self.values.get(k, str)(v) for k, v in found.items()}
        if any(value is None for value in params.values()):
            return None
        return Message(self.message.msgid, params)


Table = Callable[[], tuple[Row, ...]]  # rows of templates read as one kind of text (`rows`)


_LANGUAGES: dict[str, Callable[[str], object]] = {"name": LanguageName, "main": LanguageName}


@functools.cache
def rows() -> tuple[Row, ...]:
    """Every library warning's template beside its marked message. The templates are imported here,
    on first use, not when the web app starts: the roles and the speaker count bring scipy and the
    diarizer with them."""
    from transcription import pipeline, roles, routing, transcript_io, unheard
    from transcription.diarization import count

    return (
        Row(transcript_io.UNNAMED_VTT_WARNING,
            N_("%(name)s names no speakers, so the whole transcript is one speaker and no metric can compare rep "
               "and customer; name each cue's speaker with a voice tag (<v Alex Rivera>Hello) or a 'Name: ' "
               "prefix")),
        Row(transcript_io.UNKNOWN_REP_WARNING,
            N_("no speaker named '%(rep)s' (speakers: %(speakers)s); roles left unknown"), {"speakers": _names}),
        Row(roles.STALE_PROFILE_WARNING,
            N_("voice profile '%(name)s' was made with the %(made_with)s speaker encoder, not %(encoder)s, and has "
               "no stored enrolment audio to re-embed it: it was not used; enrol the rep again")),
        Row(count.MISSED_SPEAKERS_WARNING,
            N_("%(expected)s speakers were expected, but one voice was found: the recording does not show two "
               "people taking turns")),
        Row(pipeline.NO_SPEECH_WARNING, N_("no speech found")),
        Row(routing.OTHER_LANGUAGE_WARNING,
            N_("speech in %(name)s (%(code)s, p=%(probability)s) from %(start)s to %(end)s (%(seconds)s s) was "
               "transcribed in %(name)s; the call's main language is %(main)s"), _LANGUAGES),
        Row(routing.OTHER_LANGUAGE_KEPT_WARNING,
            N_("speech in %(name)s (%(code)s) from %(start)s to %(end)s (%(seconds)s s) was transcribed in "
               "%(name)s; the call's main language is %(main)s"), _LANGUAGES),
        Row(unheard.UNHEARD_LANGUAGE_AUTO_WARNING,
            N_("speech in %(name)s (%(code)s, p=%(probability)s) from %(start)s to %(end)s (%(seconds)s s) was "
               "not transcribed: the speech model gave no words for it"), _LANGUAGES),
        Row(unheard.UNHEARD_LANGUAGE_WARNING,
            N_("speech in %(name)s (%(code)s, p=%(probability)s) from %(start)s to %(end)s (%(seconds)s s) was "
               "not transcribed: it is not the language chosen for the call (with the language set to auto, each "
               "language is transcribed)"), _LANGUAGES),
        Row(unheard.UNHEARD_AUTO_WARNING,
            N_("speech from %(start)s to %(end)s (%(seconds)s s) gave no words: noise, or speech in a language "
               "the speech models could not read")),
        Row(unheard.UNHEARD_WARNING,
            N_("speech from %(start)s to %(end)s (%(seconds)s s) gave no words: it may be another language, or "
               "noise (with the language set to auto, other languages are detected and transcribed)")),
    )


@functools.cache
def _patterns(table: Table) -> tuple[tuple[re.Pattern[str], Row], ...]:
    """Each row's pattern, the templates with the most fixed text first: where two could read one
    warning (a stretch's code "de, p=0.97" as the code of the form without a probability), the more
    particular wins."""
    def fixed(row: Row) -> int:
        return sum(len(literal) for literal, *_ in string.Formatter().parse(row.template))

    return tuple((template_pattern(row.template), row) for row in sorted(table(), key=fixed, reverse=True))


def recognised(text: str, table: Table) -> Message | None:
    """`text` as the marked message of the `table` row whose template wrote it, with the values it
    was written with, or None when none did."""
    for pattern, row in _patterns(table):
        if (found := pattern.match(text)) is not None and (message := row.filled(found.groupdict())) is not None:
            return message
    return None


def part_of(table: Table) -> Callable[[str], Message | None]:
    """How a field whose text is itself written from one of `table`'s templates is read (a row's
    `values`): as that template's message, translated with the rest; a text none of them writes
    leaves the whole text unrecognised (None)."""
    return lambda text: recognised(text, table)


def text_in(text: str, locale: str, table: Table) -> str:
    """Library text as the call page shows it in `locale`: English as `web_text` shows it; another
    language's translation, with its values, where one of `table`'s templates writes it, else the
    English."""
    if locale == DEFAULT_LOCALE:
        return web_text(text)
    message = recognised(text, table)
    return web_text(text) if message is None else tr(locale, message)


def warning_message(warning: str) -> Message | None:
    """A stored warning as its marked message with the values it was written with, or None when no
    library template writes it."""
    return recognised(warning, rows)


def warning_text(warning: str, locale: str) -> str:
    """A stored warning as the call page shows it in `locale` (`text_in` against the warnings' rows)."""
    return text_in(warning, locale, rows)
