"""An organization's own definitions, read from the database for an analysis job: enrolled voice
profiles (who the reps are on mono calls), its custom vocabulary, and tracker definitions (added to the built-in trackers;
one with a built-in's name replaces it, a disabled one removes it)."""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlmodel import Session, col, select

from models import Call, User
from models.definitions import TrackerDefinition, Vocabulary
from models.definitions import VoiceProfile as VoiceProfileRow
from nlp.trackers import DEFAULT_THRESHOLD, Tracker, TrackerSet, default_trackers
from service.analysis import AnalyzeOptions
from service.live_sessions import RepProfiles
from transcription.errors import TranscriptParseError
from transcription.types import name_matches
from transcription.vocabulary import vocabulary_from_data
from transcription.voiceprint import LEGACY_ENCODER, VoiceProfile

log = logging.getLogger(__name__)


def analyze_options_for_call(session: Session, call: Call) -> AnalyzeOptions:
    """The options a stored call is analysed with: its own metadata plus its organization's
    voice profiles and trackers."""
    return AnalyzeOptions(
        rep_channel=call.rep_channel,
        rep_name=call.rep_name,
        num_speakers=call.num_speakers,
        profiles=org_voice_profiles(session, call.org_id),
        uploader=uploader_name(session, call),
        trackers=org_trackers(session, call.org_id),
        vocabulary=org_vocabulary(session, call.org_id),
    )


def uploader_name(session: Session, call: Call) -> str | None:
    """The name of the rep user the call belongs to (named by the upload, or the rep who uploaded it):
    the name of their voice profile when one is linked to them, else their user name. None when the
    call belongs to no one or to a coach or admin (who may have uploaded a rep's call they were not on)."""
    user = session.get(User, call.rep_user_id) if call.rep_user_id else None
    if user is None or user.role != "rep" or user.org_id != call.org_id:
        return None
    linked = session.exec(select(VoiceProfileRow).where(col(VoiceProfileRow.org_id) == call.org_id,
                                                         col(VoiceProfileRow.user_id) == user.id)).first()
    return linked.name if linked is not None else user.name


def org_vocabulary(session: Session, org_id: str) -> tuple[str, ...]:
    """The organization's custom vocabulary terms (empty when it has none)."""
    row = session.get(Vocabulary, org_id)
    return vocabulary_from_data(row.content) if row is not None else ()


def org_voice_profiles(session: Session, org_id: str) -> tuple[VoiceProfile, ...]:
    """The organization's rep profiles. A stored profile that is not usable (from before the API
    checked them: NaN, wrong size, all zeros) is left out with a warning, not a failed call."""
    rows = session.exec(select(VoiceProfileRow).where(col(VoiceProfileRow.org_id) == org_id)).all()
    out = []
    for r in rows:
        if r.role != "rep" or not r.embedding:
            continue
        try:
            # Rows from before encoders were recorded say "resemblyzer": the legacy encoder.
            encoder = LEGACY_ENCODER if r.encoder == "resemblyzer" else r.encoder
            out.append(VoiceProfile.from_dict({"name": r.name, "embedding": r.embedding, "encoder": encoder,
                                               "created_at": r.created_at.isoformat()}))
        except TranscriptParseError as exc:
            log.warning("organization %s: voice profile %s is not usable and is skipped (%s)", org_id, r.id, exc)
    return tuple(out)


def live_rep_profiles(session: Session, org_id: str, rep_user_id: str | None, rep_name: str | None) -> RepProfiles:
    """The profiles that tell the rep's voice on a live mono call: the profile of the rep the call
    names (by user, else by name: source "uploader") when there is one, else every rep profile of the
    organization (source "profile"). Unusable rows are skipped as in `org_voice_profiles`."""
    rows = session.exec(select(VoiceProfileRow).where(col(VoiceProfileRow.org_id) == org_id)).all()
    own = {r.name for r in rows if r.role == "rep" and (
        (rep_user_id is not None and r.user_id == rep_user_id) or (rep_name is not None and name_matches(r.name, rep_name)))}
    profiles = org_voice_profiles(session, org_id)
    mine = tuple(p for p in profiles if p.name in own)
    return RepProfiles(mine, "uploader") if mine else RepProfiles(profiles, "profile")


def org_trackers(session: Session, org_id: str) -> TrackerSet | None:
    """None when the organization defines no trackers (the cached built-in set is used)."""
    rows = session.exec(select(TrackerDefinition).where(col(TrackerDefinition.org_id) == org_id)).all()
    if not rows:
        return None
    by_name = {t.name: t for t in default_trackers().trackers}
    for r in rows:
        by_name.pop(r.name, None)
        if r.enabled and (r.phrases or r.examples):
            said_by = r.speaker_role if r.speaker_role in ("rep", "customer") else "anyone"
            by_name[r.name] = Tracker(
                name=r.name,
                phrases=tuple(r.phrases),
                said_by=said_by,  # type: ignore[arg-type]
                examples=tuple(r.examples),
                threshold=DEFAULT_THRESHOLD if r.threshold is None else r.threshold,
            )
    return _tracker_set(tuple(sorted(by_name.values(), key=lambda t: t.name)))


@lru_cache(maxsize=64)
def _tracker_set(trackers: tuple[Tracker, ...]) -> TrackerSet:
    # One TrackerSet per distinct definition list, so its matchers and example embeddings are
    # built once per worker process rather than once per call.
    return TrackerSet(trackers)
