"""Reading the JSON files the CLI commands take as input (analysis and insights files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transcription.errors import InputNotFoundError, TalktrackError


def read_json_object(path: Path, error: type[TalktrackError], what: str) -> dict[str, Any]:
    """The JSON object in `path`. A missing file raises `InputNotFoundError`; a file that is not
    JSON, or not an object, raises `error` naming `what` was expected."""
    if not path.is_file():
        raise InputNotFoundError(f"{path} does not exist or is not a file.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path.name} is not JSON ({exc}); expected {what}.") from exc
    if not isinstance(data, dict):
        raise error(f"{path.name} is not {what}.")
    return data
