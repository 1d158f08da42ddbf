"""The options a stored call is analysed with: its own metadata plus its organization's
definitions (`service.domain.org_definitions`)."""

from __future__ import annotations

from sqlmodel import Session

from models import Call
from service.analysis.files import AnalyzeOptions
from service.domain.org_definitions import org_trackers, org_vocabulary, org_voice_profiles, uploader_name


def analyze_options_for_call(session: Session, call: Call) -> AnalyzeOptions:
    """The options a stored call is analysed with: its own metadata plus its organization's
    voice profiles, trackers and vocabulary."""
    return AnalyzeOptions(
        rep_channel=call.rep_channel,
        rep_name=call.rep_name,
        num_speakers=call.num_speakers,
        profiles=org_voice_profiles(session, call.org_id),
        uploader=uploader_name(session, call),
        trackers=org_trackers(session, call.org_id),
        vocabulary=org_vocabulary(session, call.org_id),
    )
