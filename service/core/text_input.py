"""Text a client sends, checked at the door: which field is free text, and what each answer says.

The character rule is `transcription.control_chars` (a NUL character never gets in; free text keeps
tab, line feed and carriage return, one-line text keeps no control character at all). This module
says which fields are free text and words the refusal, naming the field. It is applied in one
place per way text comes in:

- the path and every query parameter of every request, and the fields of url-encoded and
  multipart form bodies: `service.api.text_guard.TextInputGuard` (an ASGI middleware);
- the text fields and file name of a streamed upload: `service.api.upload.parse_upload`;
- every string (and key) of JSON a client sends (request bodies, the `crm_ids` form field, live
  WebSocket messages): `service.core.strict_json.loads`.

Text that breaks the rule is refused (422 with the reason), never silently changed: what is
stored is what the client sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from transcription.control_chars import control_char_problem

# Fields that may hold several lines: notes, comments, descriptions (a playlist's), tracker phrases
# and examples, a playbook, and the JSON text of the upload's `crm_ids` field (whose strings are then
# checked as JSON).
# Every other field (names, ids, e-mail addresses, titles, ...) is one line of text.
FREE_TEXT_FIELDS = frozenset({"note", "comment", "text", "content", "phrases", "examples", "crm_ids",
                              "description"})
FREE_TEXT_PREFIXES = ("comment_",)  # the web scorecard's per-item comments: `comment_<item id>`
_SHOWN_NAME = 60  # a field name quoted in a message is cut to this many characters


def is_free_text(name: str) -> bool:
    return name in FREE_TEXT_FIELDS or name.startswith(FREE_TEXT_PREFIXES)


def _quoted(name: str) -> str:
    return repr(name if len(name) <= _SHOWN_NAME else name[:_SHOWN_NAME] + "...")


def field_problem(name: str, value: str, *, what: str = "field") -> str | None:
    """`the field 'title' contains a NUL character`, or None when the field is acceptable."""
    issue = control_char_problem(name, multiline=False)
    if issue is not None:
        return f"a {what} name {issue}"
    issue = control_char_problem(value, multiline=is_free_text(name))
    return None if issue is None else f"the {what} {_quoted(name)} {issue}"


def fields_problem(items: Iterable[tuple[str, Any]], *, what: str = "field") -> str | None:
    """The first problem among (name, value) pairs; values that are not text (files) are skipped."""
    for name, value in items:
        problem = field_problem(name, value if isinstance(value, str) else "", what=what)
        if problem is not None:
            return problem
    return None


def query_problem(query_string: bytes) -> str | None:
    """A query string read the way Starlette reads it (`request.query_params`)."""
    if not query_string:
        return None
    return fields_problem(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True),
                          what="query parameter")


def path_problem(path: str) -> str | None:
    issue = control_char_problem(path, multiline=False)
    return None if issue is None else f"the path {issue}"


def json_problem(value: Any, *, free_text: bool = False) -> str | None:
    """The first string or key of parsed JSON that breaks the rule, named by its place
    (`comments[2].text`); strings under a free-text key (`note`, `content`, ...), or everywhere
    with `free_text`, are free text."""
    stack: list[tuple[Any, str, bool]] = [(value, "", free_text)]
    while stack:
        item, where, free = stack.pop()
        if isinstance(item, str):
            issue = control_char_problem(item, multiline=free)
            if issue is not None:
                return f"the field {_quoted(where or 'body')} {issue}"
        elif isinstance(item, dict):
            for key in item:
                issue = control_char_problem(key, multiline=free)
                if issue is not None:
                    return f"a field name in {_quoted(where or 'body')} {issue}"
            stack.extend((child, f"{where}.{key}" if where else key, free or is_free_text(key))
                         for key, child in reversed(item.items()))  # reversed: checked in document order
        elif isinstance(item, list):
            stack.extend((item[i], f"{where}[{i}]", free) for i in reversed(range(len(item))))
    return None


__all__ = ["FREE_TEXT_FIELDS", "field_problem", "fields_problem", "is_free_text", "json_problem",
           "path_problem", "query_problem"]
