"""`talktrack analyze FILE`: one recording or transcript in, its analysis out."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.analysis.files import AnalyzeOptions, analyze_path, local_voice_profiles
from service.commands.brief_text import render_brief
from service.commands.progress_bar import ProgressBar
from service.commands.scorecard_text import render_scorecard

if TYPE_CHECKING:
    from nlp.brief.types import CallDateSource

FORMATS = ("text", "json", "vtt", "rttm", "brief")


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "analyze",
        help=summary,
        description=(
            "Analyse one call: a recording (wav, flac, mp3, m4a/aac, ogg/opus, webm, mp4) or a transcript "
            "(WebVTT with <v Speaker> tags, or Talktrack's own JSON)."
        ),
    )
    p.add_argument("file", type=Path, help="recording or transcript")
    p.add_argument(
        "--format", choices=FORMATS, default="text",
        help="output format (default: text scorecard; brief: chapters, items and a follow-up e-mail draft)",
    )
    p.add_argument("--date", type=call_date, metavar="YYYY-MM-DD",
                   help="the day the call took place, for the brief's due dates (default: the file's modification date)")
    p.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    p.add_argument(
        "--rep-channel",
        choices=("left", "right"),
        default="left",
        help="stereo recordings: the channel the rep is on (default: left)",
    )
    p.add_argument(
        "--rep", metavar="NAME", help="the rep's name as in the transcript's speaker tags or voice profile"
    )
    p.add_argument("--speakers", type=positive_int, metavar="N",
                   help="mono recordings: how many people talk (a prior: one voice stays one unless the "
                        "conversation shows two people; default TALKTRACK_CALL_SPEAKERS, 2)")
    p.add_argument("--force-speakers", action="store_true", help="with --speakers: exactly N speakers")
    p.add_argument("--model", help="a local CTranslate2 Whisper model folder (default: bundled tiny.en for "
                                   "English, the bundled multilingual Whisper base for other languages)")
    p.add_argument("--language", type=language_choice, default="auto", metavar="CODE",
                   help="recordings: the spoken language, auto (the default: detected per call, and per stretch "
                        "of a long call), en, zh or another language code (de, es, ja...)")
    p.add_argument(
        "--profiles",
        type=Path,
        metavar="DIR",
        help="voice profiles from `talktrack enroll` (default: profiles in the data directory; see `talktrack info`)",
    )
    p.add_argument(
        "--trackers",
        type=Path,
        metavar="YAML",
        help="tracker definitions (default: the built-in nlp/trackers.yaml)",
    )
    p.add_argument(
        "--vocabulary",
        type=Path,
        metavar="YAML",
        help="product, company and competitor names to spell right (YAML lists under products, companies, "
             "competitors, people or terms; see docs/transcription.md)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def positive_int(text: str) -> int:
    """argparse type of a speaker count: a whole number from 1 to 20."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 20:
        raise argparse.ArgumentTypeError("must be between 1 and 20")
    return value


def language_choice(text: str) -> str:
    """argparse type of `--language`: "auto" or a language code (`transcription.languages`)."""
    from transcription.languages import parse_language

    try:
        return parse_language(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def call_date(text: str) -> dt.date:
    """argparse type of `--date`: an ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _call_date(args: argparse.Namespace) -> tuple[dt.date | None, CallDateSource | None]:
    """The `--date` given, else the file's modification date (local time)."""
    if args.date is not None:
        return args.date, "argument"
    try:
        return dt.datetime.fromtimestamp(args.file.stat().st_mtime).date(), "file"
    except OSError:
        return None, None  # a missing file fails with its own message when it is read


def run(args: argparse.Namespace) -> int:
    from nlp.trackers import load_trackers
    from transcription.transcript_io import TRANSCRIPT_EXTENSIONS, write_rttm, write_vtt
    from transcription.vocabulary import load_vocabulary

    # Voice profiles pick the rep among a recording's voices; a transcript names its speakers.
    recording = args.file.suffix.lower() not in TRANSCRIPT_EXTENSIONS
    day, day_source = _call_date(args)
    options = AnalyzeOptions(
        rep_channel=0 if args.rep_channel == "left" else 1,
        rep_name=args.rep,
        num_speakers=args.speakers,
        force_speakers=args.force_speakers,
        model=args.model,
        language=args.language,
        profiles=local_voice_profiles(args.profiles) if recording else (),
        trackers=load_trackers(args.trackers) if args.trackers else None,
        vocabulary=load_vocabulary(args.vocabulary) if args.vocabulary else (),
        call_date=day,
        call_date_source=day_source,
    )
    with ProgressBar(enabled=not args.no_progress) as bar:
        analysis = analyze_path(args.file, options, bar)
    for warning in analysis.transcript.warnings:
        print(f"talktrack: warning: {warning}", file=sys.stderr)
    if args.format == "json":
        out = json.dumps(analysis.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "vtt":
        out = write_vtt(analysis.transcript)
    elif args.format == "rttm":
        out = write_rttm(analysis.transcript, uri=args.file.stem)
    elif args.format == "brief":
        out = render_brief(analysis, title=args.file.name)
    else:
        out = render_scorecard(analysis, title=args.file.name)
    if args.output:
        args.output.write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0
