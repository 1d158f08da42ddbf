"""Strict JSON for what clients send: finite numbers only, bounded nesting, clear errors.

Python's `json` accepts `NaN`, `Infinity` and `1e999` (which becomes `inf`), and recurses once per
nesting level, so a body of 100,000 `[` raises `RecursionError`. Every JSON a client sends (request
bodies, the `crm_ids` form field, live WebSocket messages) goes through `loads()` here, which
refuses all of these with a `StrictJsonError` whose message can be shown to the client. It also
refuses a string or key holding a control character (`service.core.text_input`: a NUL character
never reaches the database) with a `ControlCharError`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from service.core.text_input import json_problem

MAX_DEPTH = 64  # no request shape nests deeper than a few levels; playbooks stay far below this


class StrictJsonError(ValueError):
    """The text is not JSON Talktrack accepts; `str(exc)` is safe to show to the client."""


class JsonSyntaxError(StrictJsonError):
    """The text is not JSON at all (as opposed to JSON with a value Talktrack refuses)."""


class ControlCharError(StrictJsonError):
    """A string or key holds a control character it may not (the message names the field)."""


def _reject_constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not a JSON number; send finite numbers only")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(f"the number {text[:40]} is out of range; send finite numbers only")
    return value


def _depth_ok(text: str | bytes, max_depth: int) -> bool:
    """Cheap pre-scan: the bracket depth, ignoring brackets inside strings, never passes `max_depth`.
    (Run before parsing, so a deeply nested text costs one linear pass, not a deep recursion.)"""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return True
    depth = 0
    in_string = False
    escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse client JSON; raises `StrictJsonError` for malformed text, non-finite numbers, integers
    too long to convert, nesting deeper than `max_depth`, or (`ControlCharError`) a string holding
    a control character."""
    if not _depth_ok(text, max_depth):
        raise StrictJsonError(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except StrictJsonError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise JsonSyntaxError("not valid JSON: the text is not UTF-8") from exc
    except RecursionError as exc:  # belt and braces: the pre-scan should have caught it
        raise StrictJsonError(f"JSON nested deeper than {max_depth} levels") from exc
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise StrictJsonError(f"not valid JSON: {exc}") from exc
    problem = json_problem(value)
    if problem is not None:
        raise ControlCharError(problem)
    return value


def json_safe(value: Any) -> Any:
    """A copy of a JSON-like value with every non-finite float replaced by its string form
    (`"nan"`, `"inf"`), so an error response that echoes client input stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


__all__ = ["MAX_DEPTH", "ControlCharError", "JsonSyntaxError", "StrictJsonError", "json_safe", "loads"]
