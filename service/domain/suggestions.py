"""A call's talk-track suggestions, computed when its analysis is stored or relabelled."""

from __future__ import annotations

from typing import Any

from models import Call
from nlp.analysis import CallAnalysis


def build_suggestions(analysis: CallAnalysis, call: Call) -> list[dict[str, Any]]:
    """The ranked suggestions for one analysed call, as JSON-ready dicts (stored with the analysis).

    Ranked by the organisation's latest insights when `call` is attached to a session (else on the
    published bands)."""
    from service.domain.insights import call_suggestions

    return call_suggestions(analysis, call)
