"""Fixing a call's speakers: someone who may (`call.relabel`) says which speaker is the rep and which
the customer, or names them, and everything that depends on roles (metrics, questions, suggestions,
the feature row) is recomputed from the stored analysis (`nlp.relabel`), without running the
pipeline again. The JSON API (`PATCH /v1/calls/{id}/speakers`) and the call page both call
`set_speakers`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models import Call
from models.public import SpeakersPatch
from nlp.analysis import CallAnalysis
from nlp.relabel import relabel
from service.core.access import Principal, require
from service.core.errors import Invalid, NotFound
from service.core.i18n import N_
from service.domain.analyses import replace_analysis
from service.domain.calls import stored_analysis, visible_call
from transcription.types import Role


def with_speakers(data: dict[str, Any], patch: SpeakersPatch) -> CallAnalysis:
    """The stored analysis `data` with the patched speakers' roles and names, its metrics recomputed."""
    roles: dict[str, Role] = {s.id: s.role for s in patch.speakers if s.role is not None}
    names = {s.id: s.name for s in patch.speakers if s.name is not None}
    fixed: CallAnalysis = relabel(CallAnalysis.from_dict(data), roles, names)
    return fixed


def set_speakers(session: Session, principal: Principal, call_id: str, patch: SpeakersPatch) -> Call:
    """Set speakers' roles and names on a call the principal sees and recompute what depends on
    them, in place (Invalid for a speaker id the call does not have)."""
    call = visible_call(session, principal, call_id)
    require(principal, "call.relabel")
    data = stored_analysis(session, call)
    known = {s["id"] for s in data.get("speakers", [])}
    unknown = [s.id for s in patch.speakers if s.id not in known]
    if unknown:
        raise Invalid(N_("unknown speaker ids %(unknown)s; the call has %(known)s", unknown=unknown,
                         known=sorted(known)))
    if not replace_analysis(session, call, with_speakers(data, patch)):
        raise NotFound(N_("call not found"))
    return call
