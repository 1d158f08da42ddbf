"""Custom vocabulary: the product, company and competitor names an organization wants the speech
recogniser to spell right ("Gong and Chorus", not "long and that chorus").

A vocabulary is a short list of terms. It reaches Whisper as faster-whisper's `hotwords`: text put
before every 30 s window's prompt, so the names are likely in every window, not only the first
(`AsrOptions.vocabulary`; the measurement behind that choice is in bench/vocabulary_wer.py).

File form (YAML), any of these keys, each a list of terms; a plain list works too:

    products: [Talktrack]
    companies: [Acme]
    competitors: [Gong, Chorus]
    terms: [Salesforce, HubSpot]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from transcription.errors import InputNotFoundError, TranscriptParseError

VOCABULARY_KEYS = ("products", "companies", "competitors", "people", "terms")
# Whisper's prompt holds 223 tokens; a term is 1-4. More terms than this dilute each one.
MAX_TERMS = 100
MAX_TERM_CHARS = 60


class VocabularyError(TranscriptParseError):
    """A vocabulary file or body that is not a list of short terms."""


def vocabulary_from_data(data: Any, where: str = "vocabulary") -> tuple[str, ...]:
    """The terms of a parsed vocabulary (a list, or a mapping of VOCABULARY_KEYS to lists), in order,
    without duplicates (case-insensitive). Raises `VocabularyError` on anything else."""
    if data is None:
        return ()
    if isinstance(data, dict):
        unknown = sorted(set(map(str, data)) - set(VOCABULARY_KEYS))
        if unknown:
            raise VocabularyError(f"{where}: unknown key(s) {', '.join(unknown)}; use {', '.join(VOCABULARY_KEYS)}")
        groups = [data.get(k) or [] for k in VOCABULARY_KEYS]
    elif isinstance(data, list):
        groups = [data]
    else:
        raise VocabularyError(f"{where}: expected a list of terms or a mapping of {', '.join(VOCABULARY_KEYS)}")
    terms: list[str] = []
    for group in groups:
        if not isinstance(group, list):
            raise VocabularyError(f"{where}: each group must be a list of terms")
        terms.extend(_term(t, where) for t in group)
    return normalize_terms(terms, where)


def normalize_terms(terms: Iterable[str], where: str = "vocabulary") -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for t in terms:
        t = " ".join(t.split())
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    if len(out) > MAX_TERMS:
        raise VocabularyError(f"{where}: {len(out)} terms; at most {MAX_TERMS} fit Whisper's prompt")
    return tuple(out)


def _term(value: Any, where: str) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise VocabularyError(f"{where}: every term must be text, got {value!r}")
    text = str(value).strip()
    if len(text) > MAX_TERM_CHARS:
        raise VocabularyError(f"{where}: term {text[:20]!r}... is longer than {MAX_TERM_CHARS} characters")
    return text


def load_vocabulary(path: str | Path) -> tuple[str, ...]:
    """Read a vocabulary YAML file (see the module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(f"{p}: no such vocabulary file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{p.name}: not valid YAML ({exc})") from exc
    return vocabulary_from_data(data, p.name)


def hotwords_text(terms: Iterable[str]) -> str | None:
    """The `hotwords` string for faster-whisper: the terms as a comma-separated phrase."""
    joined = ", ".join(terms)
    return joined or None
