"""Words the pages show: counts with their plural, tracker names as labels, and analysis text
without command-line advice (the web app offers its own actions instead)."""

from __future__ import annotations

import re

# Command-line advice inside analysis text: flags, `talktrack ...` commands, file placeholders.
_CLI = re.compile(r"--[a-z]|`talktrack|\btalktrack (?:relabel|analyze|enroll|admin|serve)\b|CALL\.json|pip install")
_PAREN = re.compile(r"\s*\([^()]*\)")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")


def plural(n: int | None, one: str, many: str | None = None) -> str:
    """"1 team", "2 teams", "0 people" (`many` for an irregular plural)."""
    count = int(n or 0)
    return f"{count} {one if count == 1 else (many or one + 's')}"


def tracker_label(name: str | None) -> str:
    """A tracker's name as people read it: "budget_objection" -> "Budget objection"."""
    words = re.sub(r"[_\-]+", " ", str(name or "")).strip()
    return words[:1].upper() + words[1:]


def web_text(text: str | None) -> str:
    """`text` without its command-line advice: a parenthesis naming a flag or a `talktrack` command
    is left out, and so is a sentence that still names one (the page shows its own action)."""
    if not text:
        return ""
    out = _PAREN.sub(lambda m: "" if _CLI.search(m.group(0)) else m.group(0), str(text))
    kept = [s for s in _SENTENCE.split(out) if not _CLI.search(s)]
    return re.sub(r"\s+([,.;:])", r"\1", " ".join(kept)).strip()
