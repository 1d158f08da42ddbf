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
`_patterns`), its values taken out and filled into the reader's message, a language named in the
reader's language (`LanguageName`) and a list of names with the reader's separator (`Names`). An
English page shows the warning as `web_text` always did; a warning no template matches (an
uploaded transcript JSON's own, an older wording) is shown that way in every language.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from babel import Locale

from service.core.i18n import DEFAULT_LOCALE, LOCALES, N_, Localized, Message, Names, tr
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

    def filled(self, found: Mapping[str, str]) -> Message:
        """The message with the values of a warning written from this template."""
        return Message(self.message.msgid, {k: self.values.get(k, str)(v) for k, v in found.items()})


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


def template_pattern(template: str) -> re.Pattern[str]:
    """What `template.format(...)` writes, as a pattern with a named group per field: a number where
    the field has a number's format (`{seconds:.0f}`), any text otherwise (as little as the rest of
    the template lets it); a field named twice must read the same both times."""
    parts, seen = ["^"], set()
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if not name:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            number = bool(spec and spec[-1] in "dfgen%")
            parts.append(rf"(?P<{name}>-?\d+(?:\.\d+)?)" if number else rf"(?P<{name}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.S)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], Row], ...]:
    """Each row's pattern, the templates with the most fixed text first: where two could read one
    warning (a stretch's code "de, p=0.97" as the code of the form without a probability), the more
    particular wins."""
    def fixed(row: Row) -> int:
        return sum(len(literal) for literal, *_ in string.Formatter().parse(row.template))

    return tuple((template_pattern(row.template), row) for row in sorted(rows(), key=fixed, reverse=True))


def warning_message(warning: str) -> Message | None:
    """A stored warning as its marked message with the values it was written with, or None when no
    library template writes it."""
    for pattern, row in _patterns():
        if (found := pattern.match(warning)) is not None:
            return row.filled(found.groupdict())
    return None


def warning_text(warning: str, locale: str) -> str:
    """A stored warning as the call page shows it in `locale`: English as `web_text` shows it; another
    language's translation, with its values, where a library template writes it, else the English."""
    if locale == DEFAULT_LOCALE:
        return web_text(warning)
    message = warning_message(warning)
    return web_text(warning) if message is None else tr(locale, message)
