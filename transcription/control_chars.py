"""Control characters in text from outside: the one rule for the whole project.

A NUL character cannot be stored in PostgreSQL (neither in a text column nor in JSON), and the
other C0 control characters are never part of a name, an id or a note a person typed. So text that
comes in (HTTP fields, paths and query parameters, JSON bodies, uploaded transcripts) is refused
when it holds one:

- free text (notes, comments, transcripts, playbooks): every C0 control character but tab, line
  feed and carriage return;
- one line (names, ids, e-mail addresses, query parameters, paths): every C0 control character
  and DEL.

The HTTP side (which field is which, the 422 answers) is `service.core.text_input`; transcripts
are checked where they are read (`transcription.transcript_io`).
"""

from __future__ import annotations

import re

# The characters each kind of text may not hold, as the body of a regular-expression class (the
# same spelling works in Python and in the ECMA-262 patterns of JSON Schema).
FREE_TEXT_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f"
ONE_LINE_CONTROLS = r"\x00-\x1f\x7f"
_FREE_TEXT_FORBIDDEN = re.compile(f"[{FREE_TEXT_CONTROLS}]")
_ONE_LINE_FORBIDDEN = re.compile(f"[{ONE_LINE_CONTROLS}]")


def allowed_pattern(*, multiline: bool) -> str:
    """The rule as a whole-string pattern, for JSON Schema (`^[^\\x00-\\x1f\\x7f]*$` for one line)."""
    return f"^[^{FREE_TEXT_CONTROLS if multiline else ONE_LINE_CONTROLS}]*$"


def first_control_char(text: str, *, multiline: bool) -> int | None:
    """The index of the first character `text` may not hold (`multiline`: free text, which keeps
    tab, line feed and carriage return), or None when it has none."""
    found = (_FREE_TEXT_FORBIDDEN if multiline else _ONE_LINE_FORBIDDEN).search(text)
    return None if found is None else found.start()


def describe_char(char: str) -> str:
    """`"\\x00"` -> `a NUL character`; any other -> `the control character U+0007`."""
    return "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"


def control_char_problem(text: str, *, multiline: bool) -> str | None:
    """`contains a NUL character` (or the control character it holds first), or None when the
    text is acceptable; callers put the name of the field in front."""
    at = first_control_char(text, multiline=multiline)
    return None if at is None else f"contains {describe_char(text[at])}"


def without_control_chars(text: str) -> str:
    """`text` with its control characters (free-text rule) replaced by U+FFFD, for messages that
    quote outside input (a failure reason must itself be storable)."""
    return _FREE_TEXT_FORBIDDEN.sub("\ufffd", text)


__all__ = ["FREE_TEXT_CONTROLS", "ONE_LINE_CONTROLS", "allowed_pattern", "control_char_problem", "describe_char", "first_control_char", "without_control_chars"]
