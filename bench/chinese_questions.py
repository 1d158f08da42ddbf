"""Chinese question detection and types on the labelled sales-call sentences of
`bench/chinese_data/questions.tsv` (the project's own; see that folder's README).

Each row is one utterance of one speaker (one or more sentences); its label is the type of its last
countable question (`open`, `yes_no`, `choice`, `tag`, `declarative`) or `none`. The utterance goes
through the product's Chinese pipeline (`nlp.chinese.pipeline`) and the context rules over its
sentences (`nlp.questions.context`), as a call's turn does. Scored as written and again with every
punctuation mark removed (what Whisper gives on short Mandarin). The `heldout` third was never
looked at while the rules were written; `--split dev` is what they were tuned on.

    .venv/bin/python -m bench.chinese_questions --split heldout
"""

from __future__ import annotations

import argparse
import csv
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "chinese_data" / "questions.tsv"
LABELS = ("open", "yes_no", "choice", "tag", "declarative")
_PUNCT = re.compile(r"[，,。.！!？?；;：:、…\"“”‘’（）()《》]")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    split: str
    label: str
    text: str


def load_items(path: Path = DATA) -> list[Item]:
    """The labelled sentences of the TSV file (columns id, split, label, text)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    items = [Item(r["id"], r["split"], r["label"], r["text"]) for r in rows]
    bad = [i.id for i in items if i.label not in (*LABELS, "none") or i.split not in ("dev", "heldout")]
    if bad:
        raise ValueError(f"rows with an unknown label or split: {', '.join(bad)}")
    return items


def unpunctuated(text: str) -> str:
    """The text as an ASR without punctuation writes it."""
    return _PUNCT.sub("", text)


def classify(texts: list[str]) -> list[str]:
    """The label the product gives each utterance: its last countable question's type, or "none"."""
    from nlp.chinese.pipeline import load_chinese
    from nlp.questions.component import context_item
    from nlp.questions.context import resolve_types

    nlp = load_chinese()
    out: list[str] = []
    for doc in nlp.pipe(texts):
        items = [context_item("A", sent) for sent in doc.sents]
        types = [t for t in resolve_types(items) if t is not None]
        out.append(types[-1] if types else "none")
    return out


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    questions: int
    precision: float
    recall: float
    f1: float
    type_accuracy: float  # gold questions given exactly their type (a missed question counts wrong)
    type_accuracy_found: float  # the same among the gold questions detected as questions
    per_type: dict[str, tuple[int, int, float]]  # label -> (gold n, predicted n, F1)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: list[str], pred: list[str]) -> Scores:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g != "none" and p != "none")
    gold_q = sum(1 for g in gold if g != "none")
    pred_q = sum(1 for p in pred if p != "none")
    precision = tp / pred_q if pred_q else 0.0
    recall = tp / gold_q if gold_q else 0.0
    exact = sum(1 for g, p in zip(gold, pred, strict=True) if g != "none" and g == p)
    per_type: dict[str, tuple[int, int, float]] = {}
    for label in LABELS:
        g_n = gold.count(label)
        p_n = pred.count(label)
        hit = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        per_type[label] = (g_n, p_n, _f1(hit / p_n if p_n else 0.0, hit / g_n if g_n else 0.0))
    return Scores(len(gold), gold_q, precision, recall, _f1(precision, recall),
                  exact / gold_q if gold_q else 0.0, exact / tp if tp else 0.0, per_type)


def _table(title: str, s: Scores) -> list[str]:
    lines = [f"{title}: {s.n} utterances, {s.questions} questions",
             f"  questions: precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}",
             f"  type accuracy {s.type_accuracy:.3f} (of all gold questions; {s.type_accuracy_found:.3f} of those found)"]
    for label, (g_n, p_n, f1) in s.per_type.items():
        lines.append(f"  {label:<12} gold {g_n:>3}  predicted {p_n:>3}  F1 {f1:.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--errors", action="store_true", help="print the utterances the rules get wrong")
    args = parser.parse_args(argv)
    items = [i for i in load_items() if args.split == "all" or i.split == args.split]
    gold = [i.label for i in items]
    as_written = classify([i.text for i in items])
    bare = classify([unpunctuated(i.text) for i in items])
    unpunct_rows = [k for k, i in enumerate(items) if unpunctuated(i.text) == i.text]
    print(f"split {args.split}; {len(unpunct_rows)} of {len(items)} utterances are written without punctuation")
    for line in _table("as written", score(gold, as_written)):
        print(line)
    for line in _table("punctuation removed", score(gold, bare)):
        print(line)
    if args.errors:
        for item, p, b in zip(items, as_written, bare, strict=True):
            if p != item.label or b != item.label:
                print(f"{item.id} gold {item.label:<11} got {p:<11} bare {b:<11} {item.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
