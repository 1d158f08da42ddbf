"""Question types on real dialogue, the trained model beside the rules it replaced, in one run.

    .venv/bin/python -m bench.questions_eval                 # every set: the reported numbers
    .venv/bin/python -m bench.questions_eval --sets swda --split val --errors 20   # development

Sets (each scored for `model` and `rules`, the baseline in `bench/question_rules`):
- `swda`: SwDA (CC BY-NC-SA 3.0; evaluation only, never trained or tuned on): every utterance as
  transcribed and lower-cased without punctuation (ASR without punctuation), one utterance at a
  time and in conversation (`nlp.questions.context`), which is how the product reads a call.
  Tags: qw, qo, qw^d -> open; qy -> yes_no; qrr -> choice; qy^d -> declarative; ^g -> tag;
  bh (backchannel question) and qh (rhetorical) -> not a countable question, like every other tag.
  Beside the product's units, the yes/no row in SwDA's units (`as_swda_units`).
- `mrda`: MRDA test (CC BY 4.0; the model trains on MRDA train), mapped with `bench.mrda.label_of`;
  its words come without punctuation.
- `sales`: the held-out part of our own sales sentences (`bench/questions_data`) and the fresh set
  written after the model (`fresh_sentences.tsv`), punctuated and ASR-style rows apart, with the
  accuracy over the six outcomes (five countable types or not a countable question).
- `earnings`: recall of the earnings-21 sentences that end in "?" (no labels), 44 calls.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from bench import mrda
from bench.question_rules import read_doc
from bench.questions_sales import FRESH, SalesSentence, load_sales_sentences
from nlp.questions.component import context_items
from nlp.questions.context import ContextItem, resolve_types
from nlp.sentences import load_spacy, split_sentences
from nlp.types import QUESTION_TYPES, QuestionReading, QuestionType
from transcription.types import Speaker, Transcript, Word

DATA = mrda.DATA
SWDA = DATA / "dialog-acts" / "swda"
EARNINGS = DATA / "transcripts" / "earnings21" / "nlp_references"

GOLD = {"qw": "open", "qo": "open", "qw^d": "open", "qy": "yes_no", "qrr": "choice", "qy^d": "declarative",
        "^g": "tag"}
_COMMENT = re.compile(r"\s\*.*$")  # transcriber notes ("* to = too") are not speech
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)['-]|['-](?!\w)")
# A system reads one parsed turn and gives each of its sentences a reading.
System = Callable[[Doc], list[QuestionReading]]


def model_readings(doc: Doc) -> list[QuestionReading]:
    """What the product's component (the trained model) set on the doc's sentences."""
    return [QuestionReading(s._.question_type, s._.is_backchannel, s._.is_rhetorical) for s in doc.sents]


SYSTEMS: dict[str, System] = {"model": model_readings, "rules": read_doc}


def unpunctuate(text: str) -> str:
    """Lower case, no punctuation: what an ASR without punctuation would give."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class Row:
    conversation: str
    speaker: str
    text: str
    gold: str | None


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
                rows.append(Row(f.stem, parts[0].strip(), text, GOLD.get(parts[-1].strip())))
    return rows


def load_mrda_test() -> list[Row]:
    return [Row(u.meeting, u.speaker, u.text, u.label if u.label in QUESTION_TYPES else None)
            for meeting in mrda.load_split("test") for u in meeting]


def countable(r: QuestionReading) -> QuestionType | None:
    return None if r.is_backchannel or r.is_rhetorical else r.type


def one_at_a_time(readings: Sequence[list[QuestionReading]]) -> list[QuestionType | None]:
    """One label an utterance: the type of its last countable question sentence."""
    labels: list[QuestionType | None] = []
    for doc_readings in readings:
        found = [t for t in map(countable, doc_readings) if t is not None]
        labels.append(found[-1] if found else None)
    return labels


def in_conversation(rows: Sequence[Row], docs: Sequence[Doc], readings: Sequence[list[QuestionReading]]
                    ) -> list[QuestionType | None]:
    """Each utterance's label with the conversation around it (`nlp.questions.context`)."""
    items: list[ContextItem] = []
    owner: list[int] = []
    for i, (row, doc, doc_readings) in enumerate(zip(rows, docs, readings, strict=True)):
        for sent, r in zip(doc.sents, doc_readings, strict=True):
            items.append(ContextItem(f"{row.conversation}:{row.speaker}", sent.text, r.type, r.is_backchannel,
                                     r.is_rhetorical))
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


def run_set(name: str, rows: Sequence[Row], systems: Sequence[str], *, modes: Sequence[str], conversation: bool,
            errors: int) -> None:
    nlp = load_spacy()
    gold = [r.gold for r in rows]
    print(f"\n## {name}: {len(rows)} utterances, {sum(g is not None for g in gold)} countable questions")
    for mode in modes:
        texts = [r.text if mode == "punctuated" else unpunctuate(r.text) for r in rows]
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=256))
        rate = len(texts) / (time.perf_counter() - t0)
        for system in systems:
            readings = [SYSTEMS[system](d) for d in docs]
            views = [("one utterance at a time", one_at_a_time(readings))]
            if conversation:
                views.append(("in conversation", in_conversation(rows, docs, readings)))
            for view, pred in views:
                score(gold, pred, f"### {system}, {mode}, {view}" + (f" (pipeline {rate:.0f} utterances/s)"
                                                                     if system == "model" else ""), texts)
            if errors and system == "model":
                pred = views[-1][1]
                errs = [(g, p, t) for g, p, t in zip(gold, pred, texts, strict=True) if g != p]
                for g, p, t in random.Random(1).sample(errs, min(errors, len(errs))):
                    print(f"   gold={g} pred={p} :: {t}")


def _sales_conversation(row: SalesSentence) -> tuple[list[tuple[str, str]], int]:
    """A held-out row with its neighbours as turns (speaker, text), and the character offset of the
    row's own text in its turn: sentences of the same speaker travel in one turn, as in a call."""
    other = "customer" if row.speaker == "rep" else "rep"
    turns: list[tuple[str, str]] = []
    offset = 0
    if row.before:
        if row.before_speaker == "same":
            offset = len(row.before) + 1
            turns.append((row.speaker, f"{row.before} {row.text}"))
        else:
            turns += [(other, row.before), (row.speaker, row.text)]
    else:
        turns.append((row.speaker, row.text))
    if row.after:
        if row.after_speaker == "same":
            turns[-1] = (row.speaker, f"{turns[-1][1]} {row.after}")
        else:
            turns.append((other, row.after))
    return turns, offset


def sales_predictions(rows: Sequence[SalesSentence], system: str = "model") -> list[QuestionType | None]:
    """Each sales row's countable type (or None), read in its small conversation."""
    nlp = load_spacy()
    pred: list[QuestionType | None] = []
    for row in rows:
        turns, offset = _sales_conversation(row)
        own = 0 if not row.before or row.before_speaker == "same" else 1
        items: list[ContextItem] = []
        target = 0
        for t, ((speaker, _), doc) in enumerate(zip(turns, nlp.pipe([x for _, x in turns]), strict=True)):
            for sent, r in zip(doc.sents, SYSTEMS[system](doc), strict=True):
                if t == own and sent.start_char <= offset:
                    target = len(items)
                items.append(ContextItem(speaker, sent.text, r.type, r.is_backchannel, r.is_rhetorical))
        pred.append(resolve_types(items)[target])
    return pred


def is_asr_style(text: str) -> bool:
    return text == text.lower() and not re.search(r"[.?!,;:]", text)


def evaluate_sales(systems: Sequence[str], errors: int) -> None:
    """The held-out sales sentences and the fresh ones; accuracy over the six outcomes (five countable
    types or not a countable question)."""
    for name, rows in (("held-out", load_sales_sentences("heldout")), ("fresh", load_sales_sentences(path=FRESH))):
        evaluate_sales_rows(name, rows, systems, errors)


def evaluate_sales_rows(name: str, rows: Sequence[SalesSentence], systems: Sequence[str], errors: int) -> None:
    for asr in (False, True):
        part = [r for r in rows if is_asr_style(r.text) == asr]
        title = "ASR-style (no punctuation)" if asr else "punctuated"
        gold: list[str | None] = [r.label if r.label in QUESTION_TYPES else None for r in part]
        for system in systems:
            pred = sales_predictions(part, system)
            accuracy = sum(p == g for p, g in zip(pred, gold, strict=True)) / max(len(part), 1)
            score(gold, list(pred), f"### {system}, sales {name}, {title}: {len(part)} sentences, accuracy {accuracy:.3f}")
            if errors and system == "model":
                for g, p, row in [(g, p, row) for g, p, row in zip(gold, pred, part, strict=True) if g != p][:errors]:
                    print(f"   gold={g} pred={p} :: {row.before} || {row.text} || {row.after}")


def load_earnings(path: Path) -> Transcript:
    """An earnings-21 reference transcript as a Transcript (no times: one second a word)."""
    words: list[Word] = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:]):
        cols = line.split("|")
        token, speaker, punct = cols[0], cols[1], cols[4]
        words.append(Word(float(i), float(i) + 0.9, token + punct, f"S{speaker}"))
    speakers = [Speaker(s) for s in sorted({w.speaker for w in words})]
    return Transcript(duration_s=float(len(words)), speakers=speakers, words=words, source="json", has_timing=False)


def evaluate_earnings(n_files: int) -> None:
    """The model only: the product's whole path (sentences, component, context) on real calls."""
    files = sorted(EARNINGS.glob("*.nlp"))[:n_files]
    types: Counter[str] = Counter()
    qmark = found_qmark = extra = 0
    for f in files:
        sentences = split_sentences(load_earnings(f))
        for s, qtype in zip(sentences, resolve_types(context_items(sentences)), strict=True):
            has_q = s.text.rstrip().endswith("?")
            qmark += has_q
            if qtype:
                types[qtype] += 1
                found_qmark += has_q
                extra += not has_q
    print(f"\n## earnings-21, {len(files)} calls (model): {qmark} sentences end in '?'; {found_qmark} of them "
          f"classified as questions (recall {found_qmark / max(qmark, 1):.3f}); {extra} questions without '?'")
    print("types: " + ", ".join(f"{t} {n}" for t, n in types.most_common()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["swda", "mrda", "sales", "earnings"],
                    choices=["swda", "mrda", "sales", "earnings"])
    ap.add_argument("--systems", nargs="+", default=["model", "rules"], choices=list(SYSTEMS))
    ap.add_argument("--split", default="test", choices=["train", "val", "test"], help="SwDA split")
    ap.add_argument("--limit", type=int, default=None, help="random sample of this many SwDA conversations")
    ap.add_argument("--earnings", type=int, default=44, help="earnings-21 calls")
    ap.add_argument("--errors", type=int, default=0, help="print this many of the model's errors per set")
    args = ap.parse_args()
    if "swda" in args.sets:
        run_set(f"SwDA {args.split}", load_swda(args.split, args.limit), args.systems,
                modes=("punctuated", "unpunctuated"), conversation=True, errors=args.errors)
    if "mrda" in args.sets:
        run_set("MRDA test (no punctuation)", load_mrda_test(), args.systems, modes=("as given",),
                conversation=True, errors=args.errors)
    if "sales" in args.sets:
        evaluate_sales(args.systems, args.errors)
    if "earnings" in args.sets:
        evaluate_earnings(args.earnings)


if __name__ == "__main__":
    main()
