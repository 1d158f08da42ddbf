"""`talktrack insights DIR --outcomes outcomes.csv [--json]`: which behaviours go with won deals.
`talktrack insights --live --org ORG_ID [--json]`: what live cards change, shown against held-out
calls, from the service database (TALKTRACK_DATABASE_URL / TALKTRACK_DATA_DIR).

DIR holds recordings and/or transcripts (.vtt, Talktrack .json); the CSV has `call_id,outcome,rep`
with `call_id` = file name without extension, `outcome` won/lost (open or empty: deal still open),
and `rep` the rep's name as in the transcript's speaker tags or an enrolled voice profile.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coaching.benchmarks import learn_bands, rep_benchmark
from coaching.features import CallFeatures, FeatureColumns, features_from_analysis
from coaching.insights import Finding, InsightOptions, InsightReport, compute_insights
from service.analysis.files import AnalyzeOptions, analyze_path, local_voice_profiles
from service.commands.progress_bar import ProgressBar
from transcription.audio import AUDIO_EXTENSIONS
from transcription.display import percent
from transcription.errors import EmptyInputError, InputNotFoundError, TalktrackError
from transcription.transcript_io import TRANSCRIPT_EXTENSIONS

WON = frozenset({"won", "win", "1", "true", "yes", "closed-won", "closed won"})
LOST = frozenset({"lost", "loss", "0", "false", "no", "closed-lost", "closed lost"})
OPEN = frozenset({"", "open", "pending"})


class UsageError(TalktrackError):
    """The arguments do not name one of the command's two forms."""


class OutcomesFileError(TalktrackError):
    """The outcomes CSV is missing columns or has an outcome that is not won/lost/open."""


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    call_id: str
    outcome: bool | None
    rep: str | None


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "insights",
        help=summary,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", type=Path, nargs="?", help="folder with recordings and/or transcripts")
    p.add_argument("--outcomes", type=Path, help="CSV with call_id,outcome,rep (required with DIR)")
    p.add_argument("--live", action="store_true",
                   help="report on live cards (shown vs held-out calls) of an organization in the service database")
    p.add_argument("--org", metavar="ORG_ID", help="organization id (with --live)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    p.add_argument("--min-group", type=int, default=30, help="calls needed on each side of a comparison (30)")
    p.add_argument("--alpha", type=float, default=0.05, help="false discovery rate (Benjamini-Hochberg, 0.05)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def read_outcomes(path: Path) -> dict[str, OutcomeRow]:
    """call_id -> outcome row. Raises `OutcomesFileError` with the offending line."""
    if not path.is_file():
        raise InputNotFoundError(f"{path}: no such outcomes file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OutcomesFileError(f"{path}: not a UTF-8 text file") from exc
    reader = csv.DictReader(text.splitlines())
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"call_id", "outcome"} <= fields:
        raise OutcomesFileError(f"{path}: needs a header with call_id,outcome[,rep]")
    rows: dict[str, OutcomeRow] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        cid, value = row.get("call_id", ""), row.get("outcome", "").lower()
        if not cid:
            raise OutcomesFileError(f"{path}:{line_no}: empty call_id")
        if value in WON:
            outcome: bool | None = True
        elif value in LOST:
            outcome = False
        elif value in OPEN:
            outcome = None
        else:
            raise OutcomesFileError(f"{path}:{line_no}: outcome {value!r} is not won, lost or open")
        rows[cid] = OutcomeRow(cid, outcome, row.get("rep") or None)
    if not rows:
        raise EmptyInputError(f"{path}: no outcome rows")
    return rows


def find_calls(folder: Path) -> dict[str, Path]:
    """call_id (file stem) -> the file to analyse; a transcript wins over audio of the same call."""
    if not folder.is_dir():
        raise InputNotFoundError(f"{folder}: no such folder")
    found: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        suffix = p.suffix.lower()
        if not p.is_file() or (suffix not in AUDIO_EXTENSIONS and suffix not in TRANSCRIPT_EXTENSIONS):
            continue
        have = found.get(p.stem)
        # A transcript is preferred over audio of the same call: no re-transcription.
        if have is None or (suffix in TRANSCRIPT_EXTENSIONS and have.suffix.lower() not in TRANSCRIPT_EXTENSIONS):
            found[p.stem] = p
    return found


def collect_features(folder: Path, outcomes: dict[str, OutcomeRow], progress: bool) -> list[CallFeatures]:
    files = find_calls(folder)
    missing = sorted(set(outcomes) - set(files))
    if missing:
        print(f"talktrack: warning: {len(missing)} call(s) in the outcomes file have no file in {folder}: "
              + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else ""), file=sys.stderr)
    unlabelled = sorted(set(files) - set(outcomes))
    if unlabelled:
        print(f"talktrack: warning: {len(unlabelled)} file(s) have no outcome row and are left out: "
              + ", ".join(unlabelled[:5]) + (" ..." if len(unlabelled) > 5 else ""), file=sys.stderr)
    feats: list[CallFeatures] = []
    todo = [cid for cid in files if cid in outcomes]
    if not todo:
        raise EmptyInputError(f"{folder}: no call file matches a call_id in the outcomes file")
    profiles = local_voice_profiles()
    with ProgressBar(enabled=progress) as bar:
        for i, cid in enumerate(todo):
            bar("calls", completed=i, total=len(todo))
            row = outcomes[cid]
            try:
                analysis = analyze_path(files[cid], AnalyzeOptions(rep_name=row.rep, profiles=profiles))
            except TalktrackError as exc:
                print(f"talktrack: warning: {files[cid].name} skipped: {exc}", file=sys.stderr)
                continue
            feats.append(features_from_analysis(analysis, cid, rep=row.rep, outcome=row.outcome))
        bar("calls", completed=len(todo), total=len(todo))
    return feats


def run(args: argparse.Namespace) -> int:
    if args.live:
        return run_live(args)
    if args.dir is None or args.outcomes is None:
        raise UsageError("give a folder and --outcomes CSV (or --live --org ORG_ID)")
    outcomes = read_outcomes(args.outcomes)
    feats = collect_features(args.dir, outcomes, progress=not args.no_progress)
    report = compute_insights(feats, InsightOptions(min_group=args.min_group, alpha=args.alpha))
    if args.json:
        out = json.dumps(insights_json(report, feats), indent=2, ensure_ascii=False) + "\n"
    else:
        out = render_table(report)
    if args.output:
        args.output.write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def insights_json(report: InsightReport, feats: list[CallFeatures]) -> dict[str, Any]:
    """The insights JSON: `n_calls`, `n_won`, `features` (+ regression, notes, per-rep benchmarks)."""
    data = report.to_dict()
    cols = FeatureColumns.from_features(feats)
    bands = learn_bands(cols)
    reps = sorted({f.rep for f in feats if f.rep})
    data["reps"] = [rep_benchmark(cols, r, bands).to_dict() for r in reps]
    return data


def render_table(report: InsightReport) -> str:
    lines = [
        f"{report.n_calls} closed calls ({report.n_won} won, {report.n_lost} lost); "
        f"a finding needs {report.options.min_group} calls on each side; significance after "
        f"Benjamini-Hochberg at {report.options.alpha}.",
        "",
        f"{'feature':<34} {'comparison':<40} {'with/without':>13} {'lift [95% CI]':>22} {'adj. p':>8}  sig",
    ]
    for f in report.findings:
        lines.append(_line(f))
    lines.append("")
    lines += [f"- {f.sentence}" for f in report.findings if f.significant]
    if not report.significant:
        lines.append("- No behaviour is significantly linked to winning in these calls.")
    for n in report.notes:
        lines.append(f"- {n}")
    reg = report.regression
    if reg is not None:
        lines.append("")
        if reg.terms:
            lines.append(f"Adjusted odds ratios per SD (logistic regression, n = {reg.n}, controls: "
                         f"{', '.join(reg.controls) or 'none'}):")
            for t in reg.terms:
                lines.append(f"  {t.term:<30} {t.odds_ratio:6.2f} [{t.ci[0]:.2f}, {t.ci[1]:.2f}]  p = {t.p_value:.2g}")
        else:
            lines.append(f"Adjusted odds ratios: {reg.note}")
    return "\n".join(lines) + "\n"


def _line(f: Finding) -> str:
    counts = f"{f.n_with}/{f.n_without}"
    if f.status != "finding" or f.lift is None or f.lift_ci is None:
        return f"{f.feature:<34} {f.comparison:<40} {counts:>13} {f.status:>22} {'-':>8}  -"
    lift = f"{f.lift * 100:+.0f}% [{f.lift_ci[0] * 100:+.0f}, {f.lift_ci[1] * 100:+.0f}]"
    q = "-" if f.q_value is None else f"{f.q_value:.2g}"
    return f"{f.feature:<34} {f.comparison:<40} {counts:>13} {lift:>22} {q:>8}  {'yes' if f.significant else 'no'}"


def run_live(args: argparse.Namespace) -> int:
    """`--live`: the live-guidance report of one organization (all its live calls)."""
    if args.org is None:
        raise UsageError("--live needs --org ORG_ID")
    from sqlmodel import col

    from coaching.live_effect import LiveEffectOptions
    from models import Call, Organization
    from service.core.db import run_migrations, session_scope
    from service.live.guidance import live_guidance

    run_migrations()
    with session_scope() as session:
        if session.get(Organization, args.org) is None:
            raise UsageError(f"no organization {args.org!r}")
        report = live_guidance(session, col(Call.org_id) == args.org, args.org, LiveEffectOptions(min_group=args.min_group))
    out = json.dumps(report, indent=2) + "\n" if args.json else render_live(report)
    if args.output:
        args.output.write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def render_live(report: dict[str, Any]) -> str:
    """The live-guidance report as text."""
    shown, held = report["arms"]["shown"], report["arms"]["held_out"]
    lines = [
        f"{report['n_live_calls']} live calls, {report['n_held_out_calls']} held out; compared: "
        f"{report['n_calls']} {report['population']}.",
        "",
        f"{'':<58} {'shown':>12} {'held out':>12} {'difference [95% CI]':>26}",
        f"{'calls':<58} {shown['calls']:>12} {held['calls']:>12}",
    ]
    ft = report["follow_through"]
    lines.append(_live_row("cards followed (share of cards)", ft, pct=True))
    for b in report["behaviour"]:
        lines.append(_live_row(b["measure"], b, pct=b["feature"] != "longest_monologue_s"))
    o = report["outcome"]
    lines.append(f"{'win rate (closed calls)':<58} {percent(o['win_rate_shown']):>12} {percent(o['win_rate_held_out']):>12}")
    lines += ["", f"- {o['sentence']}"]
    reps = [r for r in report["reps"] if r["cards_shown"]]
    if reps:
        lines += ["", "Follow-through per rep (cards shown):"]
        lines += [f"  {r['rep'] or '(unnamed)':<30} {r['followed']}/{r['cards_shown']} = {percent(r['follow_through'])}"
                  for r in reps]
    return "\n".join(lines) + "\n"


def _live_row(label: str, row: dict[str, Any], pct: bool) -> str:
    fmt = percent if pct else (lambda x: "-" if x is None else f"{x:.3g}")
    diff = "-"
    if row["difference"] is not None:
        lo, hi = row["difference_ci"]
        diff = f"{fmt(row['difference'])} [{fmt(lo)}, {fmt(hi)}]"
    return f"{label:<58} {fmt(row['shown']):>12} {fmt(row['held_out']):>12} {diff:>26}"


