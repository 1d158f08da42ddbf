"""Relabelling: fix speaker roles and names of an analysis and recompute every metric from the
transcript already there (no audio, no re-transcription). The CLI's `talktrack relabel` and the
HTTP API both call `relabel()`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nlp.analysis import CallAnalysis, recompute
from transcription.errors import TalktrackError
from transcription.types import ROLES, Role


class RelabelError(TalktrackError):
    """A relabel names a speaker the analysis does not have, or a role that does not exist."""


def relabel(
    analysis: CallAnalysis | Mapping[str, Any],
    roles: Mapping[str, Role] | None = None,
    names: Mapping[str, str] | None = None,
) -> CallAnalysis:
    """Return a new analysis with the given speakers' roles and/or names replaced and all questions,
    trackers, next steps and metrics recomputed.

    `analysis` is a `CallAnalysis` or its JSON dict (`CallAnalysis.to_dict()`). `roles` maps speaker
    id to "rep", "customer" or "unknown"; `names` maps speaker id to a display name ("" clears it).
    A relabelled role is given by a person, so its `role_confidence` becomes None and its `role_source` "manual". Setting a second
    speaker to "rep" is allowed (two reps on one call happen); nothing else changes.
    Raises `RelabelError` for an unknown speaker id or role.
    """
    roles = dict(roles or {})
    names = dict(names or {})
    call = analysis if isinstance(analysis, CallAnalysis) else CallAnalysis.from_dict(dict(analysis))
    known = {s.id for s in call.transcript.speakers}
    for sid in (*roles, *names):
        if sid not in known:
            raise RelabelError(f"no speaker {sid!r} in this analysis (speakers: {', '.join(sorted(known))})")
    for sid, role in roles.items():
        if role not in ROLES:
            raise RelabelError(f"role for {sid} must be one of {', '.join(ROLES)}, not {role!r}")
    speakers = []
    for s in call.transcript.speakers:
        new = replace(s)
        if s.id in roles:
            new.role = roles[s.id]
            new.role_confidence = None
            new.role_source = "manual"
        if s.id in names:
            new.name = names[s.id].strip() or None
        speakers.append(new)
    # A person who sets the roles has looked at the speakers: the unsure-count note has done its job.
    note = None if roles else call.transcript.speakers_note
    transcript = replace(call.transcript, speakers=speakers, speakers_note=note)
    return recompute(replace(call, transcript=transcript))


__all__ = ["RelabelError", "relabel"]
