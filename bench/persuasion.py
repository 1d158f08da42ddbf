"""Insights on real outcomes: PersuasionForGood (Wang et al., ACL 2019; Apache-2.0).

1,017 real text chats in which a persuader tries to get the persuadee to donate to a charity.
Mapping: persuader = rep, persuadee = customer, a donation > 0 after the chat = a win (donations above
2 USD, the task maximum, are clipped to 2; this only matters for the amounts printed). Each chat
becomes a `Transcript(source="chat", has_timing=False)` (one synthetic second per turn) and runs
through the same language stage as a call (`nlp.language.analyze_language` + `nlp.metrics`, i.e.
`nlp.analysis.analyze_transcript`, with the semantic trackers off unless `--semantic`: they cost ~10x
on this machine); time-based metrics do not apply and are reported as such.

Second table (full runs only): the 300 dialogues with human strategy labels, each
persuader strategy used at least once treated as a tracker (labels by the dataset's annotators).

Usage: .venv/bin/python -m bench.persuasion [--limit N] [--semantic] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from coaching.features import TIMING_METRICS, CallFeatures, FeatureColumns, features_from_analysis
from coaching.insights import (
    Finding,
    InsightOptions,
    InsightReport,
    compute_insights,
    default_comparisons,
)
from transcription.types import Speaker, Transcript, Word

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "outcomes" / "persuasionforgood"
MAX_DONATION = 2.0


def load_dialogues(limit: int | None) -> tuple[dict[str, list[tuple[int, int, str]]], dict[str, tuple[str, float]]]:
    """Dialogue id -> [(turn, role, sentence)], and dialogue id -> (persuader id, persuadee donation)."""
    units: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    with open(DATA / "FullData" / "full_dialog.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            units[row["B2"]].append((int(row["Turn"]), int(row["B4"]), row["Unit"].strip()))
    persuader: dict[str, str] = {}
    donation: dict[str, float] = {}
    with open(DATA / "FullData" / "full_info.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["B4"] == "0":
                persuader[row["B2"]] = row["B3"]
            else:
                donation[row["B2"]] = min(float(row["B6"]), MAX_DONATION)
    ids = [d for d in units if d in persuader and d in donation]
    ids = ids[:limit] if limit else ids
    return {d: units[d] for d in ids}, {d: (persuader[d], donation[d]) for d in ids}


def chat_transcript(units: list[tuple[int, int, str]], persuader: str) -> Transcript:
    """A chat as a transcript without timing: each (turn, role) block gets one synthetic second."""
    words: list[Word] = []
    clock = -1.0
    last: tuple[int, int] | None = None
    for turn, role, text in units:
        if (turn, role) != last:  # a new chat message block: the next synthetic second
            clock += 1.0
            last = (turn, role)
        toks = text.split()
        for i, tok in enumerate(toks):
            words.append(Word(clock + 0.9 * i / max(len(toks), 1), clock + 0.9 * (i + 1) / max(len(toks), 1), tok,
                              "S1" if role == 0 else "S2"))
    speakers = [Speaker("S1", "rep", persuader), Speaker("S2", "customer", "persuadee")]
    return Transcript(duration_s=max(clock, 0.0) + 1.0, speakers=speakers, words=words, source="chat", has_timing=False)


def print_table(report: InsightReport, title: str) -> None:
    print(f"\n### {title}\n")
    print(f"{report.n_calls} dialogues, {report.n_won} won (donated), {report.n_lost} lost; "
          f"min group {report.options.min_group}; BH at {report.options.alpha}\n")
    print("| feature | comparison | n with / without | win rate with / without | lift [95% CI] "
          "| won calls show it [95% CI] | p | BH q | significant |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in report.findings:
        print(_row(f))
    if report.notes:
        print()
        for n in report.notes:
            print(f"- {n}")
    reg = report.regression
    if reg is not None:
        print(f"\nAdjusted odds ratios (logistic regression, n = {reg.n}; controls: "
              f"{', '.join(reg.controls) or 'none'}; dropped: {', '.join(reg.dropped) or 'none'})"
              + (f": {reg.note}" if reg.note else "") + "\n")
        if reg.terms:
            print("| metric | OR per SD [95% CI] | SD | p |")
            print("|---|---|---|---|")
            for t in reg.terms:
                print(f"| {t.term} | {t.odds_ratio:.2f} [{t.ci[0]:.2f}, {t.ci[1]:.2f}] | {t.sd:.3g} | {t.p_value:.2g} |")


def _row(f: Finding) -> str:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x * 100:.0f}%"

    def ci(x: float | None, c: tuple[float, float] | None) -> str:
        return "-" if x is None or c is None else f"{x * 100:+.0f}% [{c[0] * 100:+.0f}, {c[1] * 100:+.0f}]"

    if f.status != "finding":
        return f"| {f.feature} | {f.comparison} | {f.n_with} / {f.n_without} | - | {f.status} | - | - | - | - |"
    return (f"| {f.feature} | {f.comparison} | {f.n_with} / {f.n_without} | {pct(f.win_rate_with)} / "
            f"{pct(f.win_rate_without)} | {ci(f.lift, f.lift_ci)} | {ci(f.likelihood, f.likelihood_ci)} | "
            f"{f.p_value:.2g} | {f.q_value:.2g} | {'yes' if f.significant else 'no'} |")


def read_xlsx_rows(path: Path) -> list[dict[str, str]]:
    """Rows of the first sheet of a simple .xlsx (inline or shared strings) as header -> text.
    A few lines of zip + XML so the bench needs no spreadsheet package."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as zf:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in zf.namelist():
            root = ET.fromstring(zf.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.iter(f"{ns}si")]
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    table: list[dict[str, str]] = []
    for row in sheet.iter(f"{ns}row"):
        cells: dict[str, str] = {}
        for c in row.iter(f"{ns}c"):
            col = "".join(ch for ch in c.get("r", "") if ch.isalpha())
            kind = c.get("t")
            if kind == "inlineStr":
                cells[col] = "".join(t.text or "" for t in c.iter(f"{ns}t"))
            else:
                v = c.find(f"{ns}v")
                text = "" if v is None or v.text is None else v.text
                cells[col] = shared[int(text)] if kind == "s" and text else text
        table.append(cells)
    header = table[0]
    return [{header[k]: v for k, v in r.items() if k in header} for r in table[1:]]


def strategy_features(outcomes: dict[str, tuple[str, float]]) -> list[CallFeatures]:
    """The 300 annotated dialogues, each persuader strategy used at least once as a tracker."""
    used: dict[str, set[str]] = defaultdict(set)
    for r in read_xlsx_rows(DATA / "AnnotatedData" / "300_dialog.xlsx"):
        label = r.get("er_label_1", "").strip()
        if r.get("B4") == "0" and label and label != "nan":
            used[r["B2"]].add(label)
    calls = []
    for did, strategies in used.items():
        if did in outcomes:
            rep, amount = outcomes[did]
            calls.append(CallFeatures(did, rep, amount > 0, 0.0, {}, frozenset(strategies)))
    return calls


def main() -> None:
    ap = argparse.ArgumentParser(description="Coaching insights on PersuasionForGood")
    ap.add_argument("--limit", type=int, default=None, help="first N dialogues only (quick runs)")
    ap.add_argument("--semantic", action="store_true",
                    help="also run the semantic (MiniLM) trackers: ~10x slower; default is phrase trackers only")
    ap.add_argument("--json", type=Path, default=None, help="also write the insight JSON here")
    args = ap.parse_args()
    from nlp.analysis import CallAnalysis
    from nlp.language import analyze_language
    from nlp.metrics import compute_metrics
    from nlp.trackers import load_trackers

    trackers = load_trackers()  # once: the set caches its matchers and example embeddings
    dialogues, outcomes = load_dialogues(args.limit)
    t0 = time.perf_counter()
    feats = []
    for did, units in dialogues.items():
        rep, amount = outcomes[did]
        transcript = chat_transcript(units, rep)
        # What nlp.analysis.analyze_transcript does, with the semantic trackers optional.
        found = analyze_language(transcript, trackers=trackers, semantic=args.semantic)
        metrics = compute_metrics(transcript, found.questions, found.filler_counts)
        analysis = CallAnalysis(transcript, found.questions, found.trackers, found.next_steps, metrics)
        feats.append(features_from_analysis(analysis, did, rep=rep, outcome=amount > 0))
    nlp_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    report = compute_insights(feats)
    ins_s = time.perf_counter() - t1
    donated = [a for _, a in outcomes.values() if a > 0]
    print(f"PersuasionForGood: {len(feats)} dialogues; language stage {nlp_s:.1f} s, insights {ins_s:.2f} s; "
          f"mean donation among donors {sum(donated) / max(len(donated), 1):.2f} USD (clipped at {MAX_DONATION})")
    print("Metrics that do not apply to chat (no timing): " + ", ".join(sorted(TIMING_METRICS)))
    print_table(report, "Language-stage features (questions, fillers, trackers) vs donation")
    if args.limit is None:
        strat = strategy_features(outcomes)
        cols = FeatureColumns.from_features(strat)
        only_trackers = [c for c in default_comparisons(cols) if c.feature.startswith("tracker:")]
        strat_report = compute_insights(cols, InsightOptions(regression=False), only_trackers)
        print_table(strat_report, f"Human-labelled persuader strategies ({len(strat)} annotated dialogues) vs donation")
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
