"""The labelled sales-call sentences of `bench/questions_data/sales_sentences.tsv` (the project's own,
CC BY 4.0; see that folder's README): one sentence per row with its question type, its speaker and,
where it matters, the sentence before and after it.

    from bench.questions_sales import load_sales_sentences
    heldout = load_sales_sentences("heldout")

`train` rows are training data beside MRDA; `heldout` rows are the regression test and never trained
or tuned on. `fresh_sentences.tsv` (`FRESH`, split `fresh`) was written later, without reading the
rows above, as a second check on unseen sentences: `load_sales_sentences(path=FRESH)`. Rows of one
`group` (variants of one sentence, e.g. punctuated and ASR-style) are always in one split.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "questions_data" / "sales_sentences.tsv"
# Written after the model was trained, by someone who had not read `DATA`'s rows, never trained on:
# a check on sentences the model has not seen (split `fresh`).
FRESH = DATA.with_name("fresh_sentences.tsv")
LABELS = ("open", "yes_no", "choice", "declarative", "tag", "backchannel", "rhetorical", "none")
SPLITS = ("train", "heldout", "fresh")
SPEAKERS = ("rep", "customer")
CONTEXT_SPEAKERS = ("same", "other")
COLUMNS = ("id", "split", "group", "label", "speaker", "before", "text", "after")


@dataclass(frozen=True, slots=True)
class SalesSentence:
    id: str
    split: str
    group: str
    label: str
    speaker: str
    before_speaker: str | None  # "same" (the speaker of `text` said it), "other", or None
    before: str  # "" when there is none
    text: str
    after_speaker: str | None
    after: str


def _context(field: str, value: str, line: int) -> tuple[str | None, str]:
    """`same: <text>` / `other: <text>` / "" as (speaker, text)."""
    if value == "":
        return None, ""
    who, sep, text = value.partition(": ")
    if not sep or who not in CONTEXT_SPEAKERS or not text.strip():
        raise ValueError(f"line {line}: {field} must be empty or start with 'same: ' or 'other: ': {value!r}")
    return who, text


def _row(fields: list[str], line: int) -> SalesSentence:
    if len(fields) != len(COLUMNS):
        raise ValueError(f"line {line}: {len(fields)} fields, expected {len(COLUMNS)}")
    id_, split, group, label, speaker, before, text, after = fields
    if not id_ or not group:
        raise ValueError(f"line {line}: empty id or group")
    if split not in SPLITS:
        raise ValueError(f"line {line}: unknown split {split!r}")
    if label not in LABELS:
        raise ValueError(f"line {line}: unknown label {label!r}")
    if speaker not in SPEAKERS:
        raise ValueError(f"line {line}: unknown speaker {speaker!r}")
    if not text.strip():
        raise ValueError(f"line {line}: empty text")
    before_speaker, before_text = _context("before", before, line)
    after_speaker, after_text = _context("after", after, line)
    return SalesSentence(
        id_, split, group, label, speaker, before_speaker, before_text, text, after_speaker, after_text
    )


def load_sales_sentences(split: str | None = None, path: Path = DATA) -> list[SalesSentence]:
    """The rows of the TSV file in file order, all of them or those of one split ("train", "heldout";
    "fresh" is the split of every row of `FRESH`).

    Raises ValueError naming the line (1 = the header) of the first bad row or a wrong header."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise ValueError(f"line 1: header must be {' '.join(COLUMNS)}")
        rows = [_row(fields, reader.line_num) for fields in reader]
    return [r for r in rows if split is None or r.split == split]
