"""`talktrack suggest FILE`: ranked talk-track suggestions for one call, with where and why."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from coaching.insights import InsightReport, InsightsFormatError
from coaching.playbook import load_playbook
from coaching.suggestions import Suggestion, suggest_for_call
from service.analysis.files import AnalyzeOptions, analyze_path, local_voice_profiles
from service.commands.analyze import language_choice, positive_int
from service.commands.json_files import read_json_object
from service.commands.progress_bar import ProgressBar
from transcription.display import clock

BASIS_TEXT = {
    "insight": "your team's won/lost calls",
    "published": "published band",
    "playbook": "playbook moment",
}


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "suggest",
        help=summary,
        description=(
            "Suggestions for one call (recording or transcript). With --insights (the JSON of "
            "`talktrack insights --json`) they rest on your team's outcomes; without, on published bands."
        ),
    )
    p.add_argument("file", type=Path, help="recording or transcript (.vtt, Talktrack .json)")
    p.add_argument("--rep", metavar="NAME", help="the rep's name as in the transcript's speaker tags or voice profile")
    p.add_argument("--rep-channel", choices=("left", "right"), default="left", help="stereo: the rep's channel")
    p.add_argument("--speakers", type=positive_int, metavar="N", help="mono recordings: how many people talk (a prior)")
    p.add_argument("--language", type=language_choice, default="auto", metavar="CODE",
                   help="recordings: the spoken language, auto (the default: detected), en, zh or another language "
                        "code; the suggestions are worded in the call's language (the playbook's block for it)")
    p.add_argument("--insights", type=Path, help="insights JSON from `talktrack insights --json`")
    p.add_argument("--playbook", type=Path, help="playbook YAML (default: the bundled coaching/playbook.yaml)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def load_insights(path: Path) -> InsightReport:
    data = read_json_object(path, InsightsFormatError, "the JSON object of `talktrack insights --json`")
    return InsightReport.from_dict(data)


def run(args: argparse.Namespace) -> int:
    insights = load_insights(args.insights) if args.insights else None
    playbook = load_playbook(args.playbook)
    options = AnalyzeOptions(
        rep_channel=0 if args.rep_channel == "left" else 1, rep_name=args.rep, num_speakers=args.speakers,
        language=args.language, profiles=local_voice_profiles(),
    )
    with ProgressBar(enabled=not args.no_progress) as bar:
        analysis = analyze_path(args.file, options, bar)
    language = analysis.transcript.language  # what the call was heard in: the suggestions' language
    suggestions = suggest_for_call(analysis, insights=insights, playbook=playbook, language=language)
    if args.json:
        body = {"file": args.file.name, "basis": "insights" if insights else "published bands",
                "language": language, "suggestions": [s.to_dict() for s in suggestions]}
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(args.file.name, suggestions, insights is not None))
    return 0


def render(name: str, suggestions: list[Suggestion], with_insights: bool) -> str:
    head = f"Suggestions for {name}"
    head += " (from your team's outcomes)" if with_insights else " (no outcome data given: published bands)"
    lines = [head, ""]
    if not suggestions:
        lines.append("Nothing to suggest: this call meets every band and no playbook moment came up.")
    for i, s in enumerate(suggestions, start=1):
        lines.append(f"{i}. {s.title}  [{BASIS_TEXT[s.basis]}]")
        lines.append(f"   Do:    {s.what}")
        if s.example:
            lines.append(f"   Say:   \"{s.example}\"")
        lines.append(f"   Why:   {s.why}")
        for ev in s.where:
            lines.append(f"   Where: {clock(ev.at_s)} {ev.role}: \"{ev.quote}\"")
        lines.append("")
    return "\n".join(lines)
