"""`talktrack enroll NAME AUDIO... [--profiles DIR]`: store a rep's voice profile.

Give recordings of the rep alone (a voicemail greeting, a stereo call's rep channel, a minute of
reading). Analyses of mono calls then label the speaker whose voice matches as that rep.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from service.core.config import Settings
from transcription.errors import TalktrackError


def register(sub: Any, summary: str) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "enroll",
        help=summary,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="the rep's name, as it should appear in analyses")
    p.add_argument("audio", type=Path, nargs="+", help="recordings of the rep speaking alone")
    p.add_argument("--profiles", type=Path, help="profile folder (default: profiles in the data directory; see `talktrack info`)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from transcription.audio import load_audio
    from transcription.voiceprint import FileProfileStore, build_profile

    if not args.name.strip():
        raise EnrollError("the rep's name must not be empty")
    recordings = [np.asarray(load_audio(path).mean(axis=0), dtype=np.float32) for path in args.audio]
    profile = build_profile(args.name, recordings, [p.name for p in args.audio])
    store = FileProfileStore(args.profiles or Settings().profiles_dir)
    replaced = store.get(profile.name) is not None
    store.save(profile)
    verb = "replaced" if replaced else "enrolled"
    print(f"{verb} {profile.name}: {profile.n_seconds:.1f} s of speech from {len(args.audio)} file(s) "
          f"-> {store.directory}", file=sys.stderr)
    return 0


class EnrollError(TalktrackError):
    """The enrol command's arguments cannot give a profile."""
