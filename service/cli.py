"""`talktrack` command line. Each sub-command lives in `service/commands/<name>.py` and exposes
`register(subparsers)`; this module only dispatches and turns errors into one clear line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from transcription.errors import TalktrackError

# Sub-command modules, in the order `talktrack --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "service.commands.analyze",
    "service.commands.enroll",
    "service.commands.relabel",
    "service.commands.insights",
    "service.commands.suggest",
    "service.commands.serve",
    "service.commands.worker",
    "service.commands.admin",
    "service.commands.live",
    "service.commands.info",
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talktrack",
        description="Self-hosted conversation intelligence for sales calls.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except ValidationError as exc:
        if exc.title != "Settings":
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
