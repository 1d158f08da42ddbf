"""Labelled customer sentences (`sentences.tsv`, described in `SENTENCES.md`): training data for the
brief's sentence-kind models (`nlp.brief.learned`) beside the dev calls' own sentences.

They were written apart from the evaluation calls, to widen what the models see beyond the dev
calls' phrasings; `bench/brief_fit.py` adds them to every fold's training rows and never scores them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SENTENCES_FILE = Path(__file__).resolve().parent / "sentences.tsv"
SENTENCE_KINDS = ("pain", "need", "objection", "decision", "budget", "none")
_COLUMNS = ["id", "kind", "detail", "text"]


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    kind: str  # one of SENTENCE_KINDS
    detail: str  # the objection's topic, or why a `none` row is a hard negative
    text: str


def load_sentences(path: Path = SENTENCES_FILE) -> list[LabelledSentence]:
    """Every row of the file, checked; a bad row raises ValueError naming its line."""
    rows: list[LabelledSentence] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != _COLUMNS:
            raise ValueError(f"{path.name}: the header must be {' '.join(_COLUMNS)}, not {header}")
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(_COLUMNS):
                raise ValueError(f"{path.name}:{line}: {len(fields)} fields, expected {len(_COLUMNS)}")
            row = LabelledSentence(*(f.strip() for f in fields))
            if row.kind not in SENTENCE_KINDS:
                raise ValueError(f"{path.name}:{line}: unknown kind {row.kind!r}")
            if not row.text or row.id in seen:
                raise ValueError(f"{path.name}:{line}: empty text or repeated id {row.id!r}")
            seen.add(row.id)
            rows.append(row)
    return rows


__all__ = ["SENTENCES_FILE", "SENTENCE_KINDS", "LabelledSentence", "load_sentences"]
