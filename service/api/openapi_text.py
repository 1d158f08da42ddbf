"""The control-character rule, written into the OpenAPI schema the server publishes.

The server refuses a path or query parameter, a form field or a JSON string holding a control
character (`service.core.text_input`). The schema says so, so clients and fuzzers know a NUL
character is not a valid id: every plain string of a path or query parameter and of a request body
gets the rule as a `pattern` (`transcription.control_chars.allowed_pattern`), the free-text
pattern for the fields `service.core.text_input.is_free_text` names (and what lies under them).
Strings that already have a pattern, a format, an enum or a constant are left as they are.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from service.core.text_input import is_free_text
from transcription.control_chars import allowed_pattern

_OWN_SHAPE = ("pattern", "format", "enum", "const", "contentMediaType")
_REF = "#/components/schemas/"


class _Annotator:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.done: set[tuple[str, bool]] = set()

    def schema(self, node: Any, multiline: bool) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            name = ref[len(_REF):]
            if (name, multiline) not in self.done and name in self.components:
                self.done.add((name, multiline))
                self.schema(self.components[name], multiline)
            return
        if node.get("type") == "string" and not any(key in node for key in _OWN_SHAPE):
            node["pattern"] = allowed_pattern(multiline=multiline)
        for key in ("anyOf", "oneOf", "allOf"):
            for child in node.get(key) or []:
                self.schema(child, multiline)
        for name, child in (node.get("properties") or {}).items():
            self.schema(child, multiline or is_free_text(name))
        self.schema(node.get("items"), multiline)
        self.schema(node.get("additionalProperties"), multiline)

    def operation(self, operation: dict[str, Any]) -> None:
        for parameter in operation.get("parameters") or []:
            if isinstance(parameter, dict) and parameter.get("in") in ("path", "query"):
                self.schema(parameter.get("schema"), False)
        content = (operation.get("requestBody") or {}).get("content") or {}
        for media in content.values():
            if isinstance(media, dict):
                self.schema(media.get("schema"), False)


def with_text_rules(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI document with the rule written into its request strings."""
    out = copy.deepcopy(schema)
    annotate = _Annotator(out.get("components", {}).get("schemas", {}))
    for path_item in out.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                annotate.operation(operation)
    return out


def document_text_rules(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/openapi.json`) carry the rule."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_text_rules(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["document_text_rules", "with_text_rules"]
