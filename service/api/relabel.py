"""Applying a speakers PATCH to a stored analysis: new roles and names, then recomputed metrics."""

from __future__ import annotations

from typing import Any

from models.public import SpeakersPatch
from nlp.analysis import CallAnalysis
from transcription.types import Role


def relabel_analysis(data: dict[str, Any], patch: SpeakersPatch) -> CallAnalysis:
    """The analysis with the patched speakers, its metrics recomputed (`nlp.relabel.relabel`)."""
    analysis = CallAnalysis.from_dict(data)
    roles: dict[str, Role] = {s.id: s.role for s in patch.speakers if s.role is not None}
    names = {s.id: s.name for s in patch.speakers if s.name is not None}
    try:
        from nlp.relabel import relabel
    except ImportError:  # until the diarization stage ships it: set labels, recompute the metrics
        from dataclasses import replace

        from nlp.analysis import recompute

        analysis.transcript.speakers = [
            replace(s, role=roles.get(s.id, s.role), name=names.get(s.id, s.name),
                    role_confidence=None if s.id in roles else s.role_confidence)
            for s in analysis.transcript.speakers
        ]
        return recompute(analysis)
    relabelled: CallAnalysis = relabel(analysis, roles, names)
    return relabelled
