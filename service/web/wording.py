"""Words the pages show: counts with their plural, tracker names as labels, and analysis text
without command-line advice (the web app offers its own actions instead)."""

from __future__ import annotations

import re

from service.core.i18n import DEFAULT_LOCALE, N_, tr
from service.core.i18n import LIST_SEPARATORS as LIST_SEPARATORS  # between a list's parts (privacy_pages too)

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


# What a deletion removed, in people's words (the tombstone, the audit event and the API keep the
# counts per table): (word for one, word for many, the tables counted under it).
# The words are marked (N_) and translated by `deleted_sentence` for a page in another language.
DELETED_PARTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "analysis": (N_("analysis"), N_("analyses"), ("callresult", "calltext", "callfeatures")),
    "scorecards": (N_("scorecard"), N_("scorecards"), ("scorecardrecord",)),
    "comments": (N_("comment"), N_("comments"), ("callcomment", "scorecard_comments")),
    "clips": (N_("clip"), N_("clips"), ("clip",)),
    "shares": (N_("share link"), N_("share links"), ("callshare",)),
    "outcome": (N_("outcome"), N_("outcomes"), ("outcome",)),
    "live_cards": (N_("live coaching cards"), N_("live coaching cards"), ("livecall",)),
    "voices": (N_("voice profile"), N_("voice profiles"), ("voiceprofile",)),
    "keys": (N_("API key"), N_("API keys"), ("apikey",)),
}
FILE_WORDS = {"recording": (N_("recording"), N_("recordings")),
              "transcript": (N_("uploaded transcript"), N_("uploaded transcripts")),
              "file": (N_("stored file"), N_("stored files"))}


def deleted_parts(counts: dict[str, int], media_kind: str | None = None) -> list[tuple[str, int]]:
    """(part, how many) of what a deletion removed besides the calls, from a tombstone's counts; the
    stored files are the recording (`media_kind` "audio"), an uploaded transcript, or, not knowing
    which, stored files."""
    parts = []
    for name, (_one, _many, tables) in DELETED_PARTS.items():
        n = max((int(counts.get(t) or 0) for t in tables), default=0)
        if n:
            parts.append((name, n))
    if counts.get("objects"):
        kind = {"audio": "recording", None: "file"}.get(media_kind, "transcript")
        parts.append((kind, int(counts["objects"])))
    return parts


def deleted_sentence(parts: list[tuple[str, int]], what: str = "the call", their: str = "its",
                     locale: str = DEFAULT_LOCALE) -> str:
    """"Deleted the call, its analysis, scorecard and recording." from `deleted_parts`; in another
    `locale`, `what` and `their` come translated ("该通话", "及其") and the words are translated here."""
    words = []
    for name, n in parts:
        one, many = FILE_WORDS[name] if name in FILE_WORDS else DELETED_PARTS[name][:2]
        words.append(tr(locale, one if n == 1 else many))
    if locale != DEFAULT_LOCALE:
        if not words:
            return tr(locale, "Deleted %(what)s.", what=what)
        sep = LIST_SEPARATORS.get(locale, ", ")
        listed = words[0] if len(words) == 1 else tr(locale, "%(items)s and %(last)s", items=sep.join(words[:-1]),
                                                       last=words[-1])
        return tr(locale, "Deleted %(what)s, %(their)s %(listed)s.", what=what, their=their, listed=listed)
    if not words:
        return f"Deleted {what}."
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"Deleted {what}, {their} {listed}."
