"""`talktrack` command line. Each sub-command lives in `service/commands/<name>.py` and exposes
`register(subparsers, summary)`; this module only dispatches and turns errors into one clear line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from transcription.errors import TalktrackError

# Sub-commands, in the order `talktrack --help` lists them: the module that registers each one's
# arguments and handler, and its one-line summary. Only the module of the command being run is
# imported, so `talktrack --help` and a mistyped command answer at once.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("service.commands.analyze", "transcribe a call (or read a transcript) and print its metrics"),
    "enroll": ("service.commands.enroll", "store a rep's voice profile from recordings of their voice"),
    "relabel": ("service.commands.relabel",
                "change speakers' roles or names in an analysis JSON and recompute its metrics"),
    "insights": ("service.commands.insights",
                 "relate call behaviours to won/lost outcomes (effect sizes with 95%% intervals)"),
    "suggest": ("service.commands.suggest",
                "talk-track suggestions for one call (what to do, a line to say, why, where)"),
    "serve": ("service.commands.serve", "run the HTTP API (embedded default: SQLite + local audio + worker threads)"),
    "worker": ("service.commands.worker", "run a Celery analysis worker (needs TALKTRACK_BROKER_URL)"),
    "admin": ("service.commands.admin", "bootstrap organizations, teams, users and API keys; retention, "
                                        "deletion (forget), the audit trail and briefs for older calls"),
    "live": ("service.commands.live",
             "stream a recording through the live API and print transcript and suggestions as they come"),
    "backup": ("service.commands.backup",
               "back up the database, recordings, voice profiles and secret key (the server may keep running)"),
    "restore": ("service.commands.restore", "restore a backup of `talktrack backup` (stop the server first)"),
    "info": ("service.commands.info",
             "print the data directory, database, audio store, models, voice profiles and versions"),
}

Handler = Callable[[argparse.Namespace], int]


def _chosen(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with full arguments for the command `argv` names (every command when None)."""
    parser = argparse.ArgumentParser(
        prog="talktrack",
        description="Self-hosted conversation intelligence for sales calls.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen(argv) if argv is not None else None
    for name, (module, summary) in COMMANDS.items():
        if argv is None or name == chosen:
            importlib.import_module(module).register(sub, summary)
        else:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except TalktrackError as exc:
        print(f"talktrack: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from pydantic import ValidationError  # imported here: `talktrack --help` needs no pydantic

        if not isinstance(exc, ValidationError) or exc.title != "Settings":
            raise
        for error in exc.errors():  # a TALKTRACK_* setting out of range: say which, without a traceback
            name = "TALKTRACK_" + "_".join(str(p) for p in error["loc"]).upper()
            print(f"talktrack: error: {name}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("talktrack: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
