"""Question-type accuracy on real dialogue: SwDA (labelled) and earnings-21 analyst Q&A (unlabelled).

    .venv/bin/python -m bench.questions_eval --split test            # the reported numbers
    .venv/bin/python -m bench.questions_eval --split train --limit 80 # development (never tune on test)
    .venv/bin/python -m bench.questions_eval --earnings 4              # earnings-21 sample

SwDA (CC BY-NC-SA 3.0) is read from ../shared/data at run time and used for evaluation only.
Each utterance is classified as one unit (the type of its last countable question sentence), once
as transcribed and once lower-cased with punctuation removed (ASR without punctuation); each of
those twice: one utterance at a time, and in conversation (`nlp.questions.context`: a bare "Right?"
after the speaker's own statement is a tag; an open question its speaker goes on from without
addressing the listener is rhetorical), which is how the product reads a call.

Tag mapping (the clustered 41-tag SWBD-DAMSL set of this release has no other compound question
tags): qw, qo, qw^d -> open; qy -> yes_no; qrr -> choice; qy^d -> declarative; ^g -> tag;
bh (backchannel question) and qh (rhetorical) -> not a countable question, like every other tag.
How many bh/qh the classifier keeps out is printed on its own line.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from nlp.questions.component import classify_doc, context_item, context_items
from nlp.questions.context import ContextItem, resolve_types
from nlp.sentences import load_spacy, split_sentences
from nlp.types import QUESTION_TYPES, QuestionType
from transcription.types import Speaker, Transcript, Word

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SWDA = DATA / "dialog-acts" / "swda"
EARNINGS = DATA / "transcripts" / "earnings21" / "nlp_references"

GOLD = {"qw": "open", "qo": "open", "qw^d": "open", "qy": "yes_no", "qrr": "choice", "qy^d": "declarative",
        "^g": "tag"}
_COMMENT = re.compile(r"\s\*.*$")  # transcriber notes ("* to = too") are not speech
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)['-]|['-](?!\w)")


def unpunctuate(text: str) -> str:
    """Lower case, no punctuation: what an ASR without punctuation would give."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class Row:
    conversation: str
    speaker: str
    text: str
    tag: str


def load_swda(split: str, limit: int | None) -> list[Row]:
    files = sorted((SWDA / split).glob("*.txt"))
    if limit:
        files = random.Random(0).sample(files, min(limit, len(files)))
    rows: list[Row] = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) < 3:
                continue
            text = _COMMENT.sub("", "|".join(parts[1:-1])).strip()
            if text:
                rows.append(Row(f.stem, parts[0].strip(), text, parts[-1].strip()))
    return rows


def in_conversation(rows: Sequence[Row], docs: Sequence[Doc]) -> list[QuestionType | None]:
    """Each utterance's label with the conversation around it (`nlp.questions.context`): every
    sentence of every utterance in order, then the utterance's last countable question."""
    items: list[ContextItem] = []
    owner: list[int] = []
    for i, (row, doc) in enumerate(zip(rows, docs, strict=True)):
        for sent in doc.sents:
            items.append(context_item(f"{row.conversation}:{row.speaker}", sent))
            owner.append(i)
    labels: list[QuestionType | None] = [None] * len(rows)
    for i, qtype in zip(owner, resolve_types(items), strict=True):
        if qtype is not None:
            labels[i] = qtype
    return labels


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_OR_START = re.compile(r"^\W*(?:(?:uh|um|well|and)\W+)*or\b")


def as_swda_units(pred: Sequence[str | None], texts: Sequence[str]) -> list[str | None]:
    """Predictions mapped onto SwDA's units: SwDA files a tag inside its clause ("It's cheaper
    there, isn't it?") and an "or" inside a yes/no question ("Do you do it at home or a club?") as
    qy; its ^g and qrr are the tag or the "or" clause as a segment of its own. For the yes/no row
    only; the product keeps its types."""
    out: list[str | None] = []
    for p, text in zip(pred, texts, strict=True):
        fused_tag = p == "tag" and len(text.split()) > 2
        fused_or = p == "choice" and not _OR_START.match(text.lower())
        out.append("yes_no" if fused_tag or fused_or else p)
    return out


def score(gold: Sequence[str | None], pred: Sequence[str | None], title: str,
          texts: Sequence[str] | None = None) -> None:
    print(f"\n{title}")
    print(f"| {'type':<22} | {'gold n':>6} | {'pred n':>6} | {'precision':>9} | {'recall':>6} | {'F1':>5} |")
    print(f"|{'-' * 24}|{'-' * 8}|{'-' * 8}|{'-' * 11}|{'-' * 8}|{'-' * 7}|")
    closed = {"yes_no", "choice", "declarative", "tag"}
    for qtype in [*QUESTION_TYPES, "closed (any of 4)", "countable question"]:
        if qtype == "closed (any of 4)":
            # Open versus closed is the distinction coaching uses; SwDA files a clause with a tag
            # ("..., isn't it?") and most "or" questions under qy, which the product calls tag/choice.
            tp = sum(1 for g, p in zip(gold, pred, strict=True) if g in closed and p in closed)
            fp = sum(1 for g, p in zip(gold, pred, strict=True) if p in closed and g not in closed)
            fn = sum(1 for g, p in zip(gold, pred, strict=True) if g in closed and p not in closed)
        elif qtype == "countable question":
            tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
            fp = sum(1 for g, p in zip(gold, pred, strict=True) if p and not g)
            fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
        else:
            tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == qtype and p == qtype)
            fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == qtype and g != qtype)
            fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == qtype and p != qtype)
        p, r, f = prf(tp, fp, fn)
        print(f"| {qtype:<22} | {tp + fn:>6} | {tp + fp:>6} | {p:>9.3f} | {r:>6.3f} | {f:>5.3f} |")
    if texts is not None:
        units = as_swda_units(pred, texts)
        tp = sum(1 for g, q in zip(gold, units, strict=True) if g == q == "yes_no")
        fp = sum(1 for g, q in zip(gold, units, strict=True) if q == "yes_no" and g != "yes_no")
        fn = sum(1 for g, q in zip(gold, units, strict=True) if g == "yes_no" and q != "yes_no")
        p, r, f = prf(tp, fp, fn)
        print(f"| {'yes_no in SwDA units':<22} | {tp + fn:>6} | {tp + fp:>6} | {p:>9.3f} | {r:>6.3f} | {f:>5.3f} |"
              "  (fused tags and in-clause 'or' counted as yes_no, see as_swda_units)")
    labels: list[str | None] = [*QUESTION_TYPES, None]
    confusion = Counter(zip(gold, pred, strict=True))
    print("confusion (rows gold, columns predicted): " + " ".join(f"{str(x)[:6]:>6}" for x in labels))
    for g in labels:
        print(f"   {str(g):<12} " + " ".join(f"{confusion[(g, p)]:>6}" for p in labels))


def evaluate_swda(split: str, limit: int | None, show_errors: int) -> None:
    rows = load_swda(split, limit)
    nlp = load_spacy()
    gold = [GOLD.get(r.tag) for r in rows]
    n_bh_qh = Counter(r.tag for r in rows if r.tag in {"bh", "qh"})
    print(f"SwDA {split}: {len(rows)} utterances" + (f" from {limit} conversations" if limit else ""))
    for mode in ("punctuated", "unpunctuated"):
        texts = [r.text if mode == "punctuated" else unpunctuate(r.text) for r in rows]
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=256))
        took = time.perf_counter() - t0
        for view, pred in (("one utterance at a time", [classify_doc(d) for d in docs]),
                           ("in conversation", in_conversation(rows, docs))):
            score(gold, pred, f"{mode}, {view} ({len(texts) / took:.0f} utterances/s)", texts)
            kept_out = {tag: sum(1 for r, p in zip(rows, pred, strict=True) if r.tag == tag and p is None)
                        for tag in n_bh_qh}
            print("not counted as questions: "
                  + ", ".join(f"{t} {kept_out[t]}/{n}" for t, n in sorted(n_bh_qh.items())))
        if show_errors:
            errs = [(g, p, t) for g, p, t in zip(gold, pred, texts, strict=True) if g != p]
            for g, p, t in random.Random(1).sample(errs, min(show_errors, len(errs))):
                print(f"   gold={g} pred={p} :: {t}")


def load_earnings(path: Path) -> Transcript:
    """An earnings-21 reference transcript as a Transcript (no times: one second a word)."""
    words: list[Word] = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:]):
        cols = line.split("|")
        token, speaker, punct = cols[0], cols[1], cols[4]
        words.append(Word(float(i), float(i) + 0.9, token + punct, f"S{speaker}"))
    speakers = [Speaker(s) for s in sorted({w.speaker for w in words})]
    return Transcript(duration_s=float(len(words)), speakers=speakers, words=words, source="json", has_timing=False)


def evaluate_earnings(n_files: int, show: int) -> None:
    files = sorted(EARNINGS.glob("*.nlp"))[:n_files]
    types: Counter[str] = Counter()
    qmark = found_qmark = extra = 0
    examples: list[tuple[str, str]] = []
    misses: list[str] = []
    extras: list[str] = []
    for f in files:
        sentences = split_sentences(load_earnings(f))
        for s, qtype in zip(sentences, resolve_types(context_items(sentences)), strict=True):
            has_q = s.text.rstrip().endswith("?")
            qmark += has_q
            if qtype:
                types[qtype] += 1
                examples.append((qtype, s.text))
                found_qmark += has_q
                if not has_q:
                    extra += 1
                    extras.append(s.text)
            elif has_q:
                misses.append(s.text)
    print(f"\nearnings-21, {len(files)} calls: {qmark} sentences end in '?'; {found_qmark} of them classified as "
          f"questions ({found_qmark / max(qmark, 1):.3f}); {extra} questions without '?'")
    print("types: " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    rng = random.Random(2)
    for label, items in (("question", [f"{t}: {x}" for t, x in examples]), ("'?' missed", misses),
                         ("no '?' but question", extras)):
        for x in rng.sample(items, min(show, len(items))):
            print(f"   [{label}] {x[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="test", choices=["train", "val", "test"])
    ap.add_argument("--limit", type=int, default=None, help="random sample of this many conversations")
    ap.add_argument("--errors", type=int, default=0, help="print this many misclassified utterances")
    ap.add_argument("--earnings", type=int, default=0, help="also run on this many earnings-21 calls")
    ap.add_argument("--no-swda", action="store_true")
    args = ap.parse_args()
    if not args.no_swda:
        evaluate_swda(args.split, args.limit, args.errors)
    if args.earnings:
        evaluate_earnings(args.earnings, max(args.errors, 5))


if __name__ == "__main__":
    main()
