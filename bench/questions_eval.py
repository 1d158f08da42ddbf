"""Question-type accuracy on real dialogue: SwDA (labelled) and earnings-21 analyst Q&A (unlabelled).

    .venv/bin/python bench/questions_eval.py --split test            # the reported numbers
    .venv/bin/python bench/questions_eval.py --split train --limit 80 # development (never tune on test)
    .venv/bin/python bench/questions_eval.py --earnings 4              # earnings-21 sample

SwDA (CC BY-NC-SA 3.0) is read from ../shared/data at run time and used for evaluation only.
Each utterance is classified as one unit (the type of its last countable question sentence), once
as transcribed and once lower-cased with punctuation removed (ASR without punctuation).

Tag mapping (the clustered 41-tag SWBD-DAMSL set of this release has no other compound question
tags): qw, qo, qw^d -> open; qy -> yes_no; qrr -> choice; qy^d -> declarative; ^g -> tag;
bh (backchannel question) and qh (rhetorical) -> not a countable question, like every other tag.
How many bh/qh the classifier keeps out is printed on its own line.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.questions import classify_doc  # noqa: E402
from nlp.sentences import load_spacy, split_sentences  # noqa: E402
from nlp.types import QUESTION_TYPES  # noqa: E402
from transcription.types import Speaker, Transcript, Word  # noqa: E402

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


def load_swda(split: str, limit: int | None) -> list[tuple[str, str]]:
    files = sorted((SWDA / split).glob("*.txt"))
    if limit:
        files = random.Random(0).sample(files, min(limit, len(files)))
    rows: list[tuple[str, str]] = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("|")
            if len(parts) < 3:
                continue
            text = _COMMENT.sub("", "|".join(parts[1:-1])).strip()
            if text:
                rows.append((text, parts[-1].strip()))
    return rows


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(gold: Sequence[str | None], pred: Sequence[str | None], title: str) -> None:
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
    labels: list[str | None] = [*QUESTION_TYPES, None]
    confusion = Counter(zip(gold, pred, strict=True))
    print("confusion (rows gold, columns predicted): " + " ".join(f"{str(x)[:6]:>6}" for x in labels))
    for g in labels:
        print(f"   {str(g):<12} " + " ".join(f"{confusion[(g, p)]:>6}" for p in labels))


def evaluate_swda(split: str, limit: int | None, show_errors: int) -> None:
    rows = load_swda(split, limit)
    nlp = load_spacy()
    gold = [GOLD.get(tag) for _, tag in rows]
    n_bh_qh = Counter(tag for _, tag in rows if tag in {"bh", "qh"})
    print(f"SwDA {split}: {len(rows)} utterances" + (f" from {limit} conversations" if limit else ""))
    for mode in ("punctuated", "unpunctuated"):
        texts = [t if mode == "punctuated" else unpunctuate(t) for t, _ in rows]
        t0 = time.perf_counter()
        pred = [classify_doc(d) for d in nlp.pipe(texts, batch_size=256)]
        took = time.perf_counter() - t0
        score(gold, pred, f"{mode} ({len(texts) / took:.0f} utterances/s)")
        kept_out = {tag: sum(1 for (_, t), p in zip(rows, pred, strict=True) if t == tag and p is None)
                    for tag in n_bh_qh}
        print("not counted as questions: " + ", ".join(f"{t} {kept_out[t]}/{n}" for t, n in sorted(n_bh_qh.items())))
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
        for s in split_sentences(load_earnings(f)):
            qtype = None if s.span._.is_backchannel or s.span._.is_rhetorical else s.span._.question_type
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
