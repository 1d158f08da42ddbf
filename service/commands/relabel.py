"""`talktrack relabel ANALYSIS.json --speaker S2=rep --name S2="Tom Miller" [-o OUT]`.

Fix who is who in an analysis JSON (from `talktrack analyze --format json`) and recompute every
metric from its transcript, without the audio. Writes the new analysis JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from service.commands.json_files import read_json_object
from transcription.errors import TranscriptParseError
from transcription.types import ROLES


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "relabel",
        help=summary,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("analysis", type=Path, help="analysis JSON written by `talktrack analyze --format json`")
    p.add_argument("--speaker", action="append", default=[], type=_pair, metavar="ID=ROLE",
                   help=f"set a speaker's role ({', '.join(ROLES)}); repeatable")
    p.add_argument("--name", action="append", default=[], type=_pair, metavar="ID=NAME",
                   help="set a speaker's display name; repeatable")
    p.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    p.set_defaults(handler=run)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected ID=VALUE, got {text!r}")
    return key.strip(), value.strip()


def run(args: argparse.Namespace) -> int:
    from nlp.relabel import RelabelError, relabel

    path: Path = args.analysis
    data = read_json_object(path, TranscriptParseError, "a Talktrack analysis JSON (`talktrack analyze --format json`)")
    roles = {}
    for sid, role in args.speaker:
        if role not in ROLES:
            raise RelabelError(f"role for {sid} must be one of {', '.join(ROLES)}, not {role!r}")
        roles[sid] = role
    names = dict(args.name)
    if not roles and not names:
        raise RelabelError("nothing to change: give --speaker ID=ROLE and/or --name ID=NAME")
    result = relabel(data, roles, names)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
