"""The options a stored call is analysed with: its own metadata plus its organization's
definitions (`service.domain.org_definitions`)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models import Call
from models.base import aware
from nlp.brief.types import CallDateSource
from service.analysis.files import AnalyzeOptions
from service.domain.org_definitions import (
    org_language,
    org_trackers,
    org_vocabulary,
    org_voice_profiles,
    uploader_name,
)


def analyze_options_for_call(session: Session, call: Call) -> AnalyzeOptions:
    """The options a stored call is analysed with: its own metadata plus its organization's
    voice profiles, trackers and vocabulary; its spoken language is the upload's choice, else the
    organization's default (`org_language`), else English; the day it took place is
    `call_date_for`'s."""
    call_date, call_date_source = call_date_for(call)
    return AnalyzeOptions(
        rep_channel=call.rep_channel,
        rep_name=call.rep_name,
        num_speakers=call.num_speakers,
        profiles=org_voice_profiles(session, call.org_id),
        uploader=uploader_name(session, call),
        trackers=org_trackers(session, call.org_id),
        vocabulary=org_vocabulary(session, call.org_id),
        language=call.language or org_language(session, call.org_id) or "en",
        call_date=call_date,
        call_date_source=call_date_source,
    )


def call_date_for(call: Call) -> tuple[date, CallDateSource]:
    """The day the call took place, which its brief's relative due dates ("next Thursday") resolve
    against: its `started_at` (the upload's field, or the moment a live call started), source
    "recorded_at"; else the day it was uploaded, source "file" (the service never sees the file's
    own time). UTC days."""
    if call.started_at is not None:
        return (aware(call.started_at) or call.started_at).date(), "recorded_at"
    return (aware(call.created_at) or call.created_at).date(), "file"

