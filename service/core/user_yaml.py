"""YAML that people type or paste (the admin playbook form): one parser, the same limits as JSON.

`yaml.safe_load` builds no objects, but it still expands aliases (a few hundred characters of
`&a [*b, *b, ...]` become gigabytes: "billion laughs"), reads `.nan` and `.inf`, turns dates into
`datetime` objects that JSON cannot hold, recurses once per nesting level, and turns `"\\0"` into a
NUL character. `load_user_yaml` refuses all of that with a `UserYamlError` whose message (with the
line) can be shown to the user:

- anchors and aliases (`&name`, `*name`, `<<: *name`): refused;
- numbers: finite only (`.nan`, `.inf`, `1e999` refused); dates stay text;
- values JSON can hold (text, numbers, true/false, null, lists, mappings with text keys), nested at
  most `MAX_DEPTH` levels;
- text without control characters (`service.core.text_input`, free-text rule);
- at most `max_chars` characters of YAML.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from service.core.strict_json import MAX_DEPTH
from service.core.text_input import json_problem

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class UserYamlError(ValueError):
    """The YAML is not accepted; `str(exc)` is safe to show to the user."""


def _line(node_or_event: Any) -> str:
    mark = getattr(node_or_event, "start_mark", None)
    return f"line {mark.line + 1}: " if mark is not None else ""


class _UserLoader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases, non-finite numbers, dates or deep nesting."""

    # Dates are read as the text they are written as (JSON has no date type).
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise UserYamlError(f"{_line(event)}anchors and aliases are not accepted (*{event.anchor}): "
                                "write the value out")
        if getattr(event, "anchor", None) is not None:
            raise UserYamlError(f"{_line(event)}anchors and aliases are not accepted (&{event.anchor}): "
                                "write the value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise UserYamlError(f"{_line(event)}the YAML nests deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_float(self, node: Any) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise UserYamlError(f"{_line(node)}{node.value!r} is not a finite number; write finite numbers only")
        return value

    def construct_undefined(self, node: Any) -> Any:
        raise UserYamlError(f"{_line(node)}the tag {node.tag!r} is not accepted")


_UserLoader.add_constructor("tag:yaml.org,2002:float", _UserLoader.construct_yaml_float)
for _tag in ("binary", "set", "timestamp", "omap", "pairs"):  # values JSON cannot hold as written
    _UserLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _UserLoader.construct_undefined)
_UserLoader.add_constructor(None, _UserLoader.construct_undefined)


def _non_text_key(value: Any) -> Any:
    """The first mapping key that is not text (YAML allows `1:`, `null:` or `[a, b]:`), else None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return key
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return None


def load_user_yaml(text: str, *, max_chars: int, what: str = "the YAML") -> Any:
    """The data of YAML a user typed, as JSON-ready values; `UserYamlError` with the reason (and
    the line) for YAML that is malformed or breaks a rule above."""
    if len(text) > max_chars:
        raise UserYamlError(f"{what} has at most {max_chars} characters")
    try:
        data = yaml.load(text, Loader=_UserLoader)  # noqa: S506 - a SafeLoader subclass
    except UserYamlError as exc:
        raise UserYamlError(f"{what} is not accepted: {exc}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UserYamlError(f"{what} is not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from exc
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long for Python to convert
        raise UserYamlError(f"{what} is not accepted: {str(exc).split(';')[0]}") from exc
    key = _non_text_key(data)
    if key is not None:
        raise UserYamlError(f"{what} is not accepted: the key {str(key)[:60]!r} is not text; quote it")
    problem = json_problem(data, free_text=True)
    if problem is not None:
        raise UserYamlError(f"{what} is not accepted: {problem}")
    return data


__all__ = ["UserYamlError", "load_user_yaml"]
