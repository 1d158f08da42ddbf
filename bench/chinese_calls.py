"""Chinese sales calls end to end: each labelled WebVTT call of `bench/chinese_data/calls` goes
through the same path as `talktrack analyze CALL.vtt --rep NAME` (`service.analysis.files`), and its
countable questions (cue, speaker, type), tracker hits (cue, tracker) and next steps (cue, who
committed, date phrase) are compared with the labels in the call's YAML file. Target: exact.

    .venv/bin/python -m bench.chinese_calls            # every call
    .venv/bin/python -m bench.chinese_calls --split heldout
    .venv/bin/python -m bench.chinese_calls --brief    # the brief's items: recall/precision per kind

With `--brief`, the call brief's pains, needs, objections, budgets, decisions and quoted prices
(`nlp.brief.chinese_items`), competitors (`nlp.brief.competitors`) and unanswered customer
questions (`nlp.brief.unanswered`) are scored against each call's `brief` labels instead: an item
matches a labelled fact of its kind said in the same cue (or one of the fact's `also` cues), one to
one, a competitor only the fact that names the same vendor (`detail`); recall and precision per
kind, for dev and heldout, with counts, and how many matched objections have the right topic and
matched budgets and prices the right amount.
"""

from __future__ import annotations

import argparse
import bisect
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CALLS = Path(__file__).resolve().parent / "chinese_data" / "calls"


@dataclass(frozen=True, slots=True)
class CallCheck:
    id: str
    split: str
    missing: dict[str, list[tuple[Any, ...]]]  # labelled, not found
    extra: dict[str, list[tuple[Any, ...]]]  # found, not labelled
    counts: dict[str, int]  # labelled items per kind

    @property
    def exact(self) -> bool:
        return not any(self.missing.values()) and not any(self.extra.values())


def _cue_starts(vtt: Path) -> list[float]:
    from transcription.transcript_io import _parse_timestamp  # the reader's own timestamp rule

    starts = []
    for n, line in enumerate(vtt.read_text(encoding="utf-8").splitlines(), start=1):
        if "-->" in line:
            starts.append(_parse_timestamp(line.split("-->")[0], n, vtt))
    return starts


def check_call(yaml_path: Path) -> CallCheck:
    """Analyse one labelled call and compare what was found with its labels."""
    from service.analysis.files import AnalyzeOptions, analyze_path

    labels = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    vtt = yaml_path.with_suffix(".vtt")
    analysis = analyze_path(vtt, AnalyzeOptions(rep_name=str(labels["rep"])))
    starts = _cue_starts(vtt)
    names = {s.id: s.name or s.id for s in analysis.transcript.speakers}

    def cue(t: float) -> int:
        return bisect.bisect_right(starts, t + 1e-6)

    found: dict[str, Counter[tuple[Any, ...]]] = {
        "questions": Counter((cue(q.start), names[q.speaker], q.type) for q in analysis.questions),
        "trackers": Counter((cue(h.start), h.tracker) for h in analysis.trackers),
        "next_steps": Counter((cue(n.start), names[n.speaker], n.date_phrase) for n in analysis.next_steps),
    }
    wanted: dict[str, Counter[tuple[Any, ...]]] = {
        "questions": Counter((int(a), str(b), str(c)) for a, b, c in labels["questions"]),
        "trackers": Counter((int(a), str(b)) for a, b in labels["trackers"]),
        "next_steps": Counter((int(a), str(b), None if c is None else str(c)) for a, b, c in labels["next_steps"]),
    }
    missing = {k: sorted((wanted[k] - found[k]).elements()) for k in wanted}
    extra = {k: sorted((found[k] - wanted[k]).elements()) for k in wanted}
    return CallCheck(str(labels["id"]), str(labels["split"]), missing, extra,
                     {k: sum(v.values()) for k, v in wanted.items()})


BRIEF_KINDS = ("pain", "need", "objection", "budget", "decision", "price", "competitor", "question")


@dataclass(slots=True)
class BriefScore:
    """Per kind: labelled facts, items found, items matched; topic and amount right on matches."""

    labelled: Counter[str]
    found: Counter[str]
    matched: Counter[str]
    detail_right: int = 0
    detail_checked: int = 0
    amount_right: int = 0
    amount_checked: int = 0
    misses: list[str] | None = None


def check_brief(yaml_path: Path) -> tuple[str, BriefScore]:
    """Analyse one labelled call and score its brief items against the call's `brief` labels."""
    import datetime as dt

    from service.analysis.files import AnalyzeOptions, analyze_path

    labels = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    vtt = yaml_path.with_suffix(".vtt")
    options = AnalyzeOptions(rep_name=str(labels["rep"]), call_date=dt.date.fromisoformat(str(labels["call_date"])))
    analysis = analyze_path(vtt, options)
    assert analysis.brief is not None
    starts = _cue_starts(vtt)
    facts = [f for f in labels.get("brief") or [] if f["kind"] in BRIEF_KINDS]
    items = [i for i in analysis.brief.items if i.kind in BRIEF_KINDS]
    score = BriefScore(Counter(f["kind"] for f in facts), Counter(i.kind for i in items), Counter(), misses=[])
    taken: set[int] = set()
    for item in items:
        cue = bisect.bisect_right(starts, item.start + 1e-6)
        for j, fact in enumerate(facts):
            if j in taken or fact["kind"] != item.kind or cue not in (int(fact["cue"]), *map(int, fact.get("also") or [])):
                continue
            if item.kind == "competitor" and item.detail != fact.get("detail"):
                continue  # a competitor is its vendor
            taken.add(j)
            score.matched[item.kind] += 1
            if item.kind == "objection" and fact.get("detail"):
                score.detail_checked += 1
                score.detail_right += item.detail == fact["detail"]
            if fact.get("amount") is not None:
                score.amount_checked += 1
                score.amount_right += item.amount is not None and abs(item.amount - float(fact["amount"])) <= 0.01 * float(
                    fact["amount"])
            break
        else:
            assert score.misses is not None
            score.misses.append(f"extra   {item.kind} (cue {cue}): {item.text}")
    for j, fact in enumerate(facts):
        if j not in taken:
            assert score.misses is not None
            score.misses.append(f"missing {fact['kind']} (cue {fact['cue']}): {fact['quote']}")
    return str(labels["split"]), score


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a}/{b})" if b else "-"


def brief_report(paths: list[Path], splits: tuple[str, ...], show_misses: bool) -> None:
    """Recall and precision per kind for each split."""
    runs = [(p, *check_brief(p)) for p in paths]
    for split in splits:
        chosen = [(p, s) for p, sp, s in runs if sp == split]
        if not chosen:
            continue
        print(f"{split} ({len(chosen)} calls)")
        print(f"  {'kind':<10} {'recall':<14} {'precision':<14}")
        totals = [0, 0, 0]
        for kind in BRIEF_KINDS:
            lab = sum(s.labelled[kind] for _, s in chosen)
            found = sum(s.found[kind] for _, s in chosen)
            hit = sum(s.matched[kind] for _, s in chosen)
            totals = [totals[0] + hit, totals[1] + lab, totals[2] + found]
            print(f"  {kind:<10} {_ratio(hit, lab):<14} {_ratio(hit, found):<14}")
        print(f"  {'all':<10} {_ratio(totals[0], totals[1]):<14} {_ratio(totals[0], totals[2]):<14}")
        print(f"  objection topic right {_ratio(sum(s.detail_right for _, s in chosen), sum(s.detail_checked for _, s in chosen))}"
              f"; amount right {_ratio(sum(s.amount_right for _, s in chosen), sum(s.amount_checked for _, s in chosen))}")
        if show_misses:
            for p, s in chosen:
                for line in s.misses or []:
                    print(f"    {p.stem}: {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--brief", action="store_true", help="score the brief's items against the `brief` labels")
    parser.add_argument("--misses", action="store_true", help="with --brief: list the missing and extra items")
    args = parser.parse_args(argv)
    if args.brief:
        wanted = ("dev", "heldout") if args.split == "all" else (args.split,)
        paths = [p for p in sorted(CALLS.glob("*.yaml"))
                 if yaml.safe_load(p.read_text(encoding="utf-8"))["split"] in wanted]
        brief_report(paths, wanted, args.misses)
        return 0
    checks = [check_call(p) for p in sorted(CALLS.glob("*.yaml"))]
    checks = [c for c in checks if args.split == "all" or c.split == args.split]
    for c in checks:
        status = "exact" if c.exact else "differs"
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in c.counts.items())
        print(f"{c.id:<28} {c.split:<8} {status:<8} ({counts})")
        for kind in ("questions", "trackers", "next_steps"):
            for item in c.missing[kind]:
                print(f"    missing {kind[:-1]}: {item}")
            for item in c.extra[kind]:
                print(f"    extra   {kind[:-1]}: {item}")
    exact = sum(1 for c in checks if c.exact)
    total = {k: sum(c.counts[k] for c in checks) for k in ("questions", "trackers", "next_steps")}
    wrong = {k: sum(len(c.missing[k]) + len(c.extra[k]) for c in checks) for k in total}
    print(f"{exact} of {len(checks)} calls exact; labelled: " + ", ".join(
        f"{total[k]} {k.replace('_', ' ')} ({wrong[k]} missing or extra)" for k in total))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
