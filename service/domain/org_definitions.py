"""An organization's definitions as the product uses them: its playbook and live rules, trackers,
custom vocabulary, scorecard rubrics and enrolled voice profiles, each read by one function here
(the analysis jobs, suggestions, live calls, scorecards and the admin pages all call these).

One fallback rule for all of them: what the organization has not defined is the bundled default
(`coaching/playbook.yaml`, `nlp/trackers.yaml`, the bundled rubric, no vocabulary, no profiles),
and a stored definition that can no longer be used (stored before it was checked) is left out with
a warning, as if it were not there. Trackers add to the built-in ones: one with a built-in's name
replaces it, a disabled one removes it. Writing definitions is `service.domain.definitions`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from coaching.live import LiveRules, LiveRulesError
from coaching.playbook import Playbook, PlaybookError, playbook_from_dict
from coaching.scorecards import Rubric, RubricError, load_rubric, rubric_from_dict
from models import Call, User
from models import Playbook as PlaybookRow
from models.coaching import RubricDefinition
from models.definitions import TrackerDefinition, Vocabulary
from models.definitions import VoiceProfile as VoiceProfileRow
from nlp.trackers import DEFAULT_THRESHOLD, Tracker, TrackerSet, default_trackers
from service.core.errors import NotFound
from service.core.i18n import N_
from transcription.errors import TranscriptParseError
from transcription.types import RoleSource, name_matches
from transcription.vocabulary import VocabularyError, vocabulary_from_data
from transcription.voiceprint import LEGACY_ENCODER, VoiceProfile

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrgPlaybook:
    """What the organization's active playbook holds: its talk tracks (None: the bundled playbook)
    and its live rules (defaults when it sets none)."""

    playbook: Playbook | None = None
    rules: LiveRules = field(default_factory=LiveRules)


def active_playbook_row(session: Session, org_id: str) -> PlaybookRow | None:
    """The organization's active playbook row: the newest active one (None: it uses the bundled one)."""
    return session.exec(select(PlaybookRow).where(col(PlaybookRow.org_id) == org_id, col(PlaybookRow.active))
                        .order_by(col(PlaybookRow.created_at).desc())).first()


def org_playbook(session: Session, org_id: str) -> OrgPlaybook:
    """The talk tracks and live rules suggestions and live calls use, from the active playbook's
    `situations` and `live_rules`; a part it lacks, or cannot be used, is the default."""
    row = active_playbook_row(session, org_id)
    content: Any = row.content if row is not None else None
    if row is None or not content or not isinstance(content, dict):
        return OrgPlaybook()
    playbook: Playbook | None = None
    rules = LiveRules()
    try:
        if "situations" in content:
            playbook = playbook_from_dict(content, f"playbook {row.name!r}")
    except (PlaybookError, TypeError, ValueError, AttributeError) as exc:
        log.warning("organization %s: unusable playbook (%s); using the bundled one", org_id, exc)
    try:
        rules = LiveRules.from_dict(content.get("live_rules"))
    except (LiveRulesError, TypeError, ValueError, AttributeError) as exc:
        log.warning("organization %s: unusable live rules (%s); using the defaults", org_id, exc)
    return OrgPlaybook(playbook, rules)


@lru_cache(maxsize=1)
def bundled_rubric() -> Rubric:
    """The rubric that ships with Talktrack (read once: it does not change while running)."""
    return load_rubric()


def _rubric(content: Any, org_id: str) -> Rubric | None:
    try:
        return rubric_from_dict(content)
    except (RubricError, TypeError, ValueError, AttributeError) as exc:
        log.warning("organization %s: unusable rubric (%s); left out", org_id, exc)
        return None


def org_rubric(session: Session, org_id: str, rubric_id: str | None = None) -> Rubric:
    """The organization's active rubric (or the one named), else the bundled default (NotFound
    for a name that is neither)."""
    q = select(RubricDefinition.content).where(col(RubricDefinition.org_id) == org_id, col(RubricDefinition.active))
    if rubric_id is not None:
        q = q.where(col(RubricDefinition.rubric_id) == rubric_id)
    content = session.exec(q.order_by(col(RubricDefinition.created_at).desc()).limit(1)).first()
    rubric = _rubric(content, org_id) if content is not None else None
    if rubric is not None:
        return rubric
    bundled = bundled_rubric()
    if rubric_id is not None and rubric_id != bundled.id:
        raise NotFound(N_("rubric not found"))
    return bundled


def org_rubrics(session: Session, org_id: str) -> list[dict[str, Any]]:
    """The organization's active rubrics as stored, else the bundled one."""
    rows = session.exec(select(RubricDefinition.content).where(col(RubricDefinition.org_id) == org_id,
                                                               col(RubricDefinition.active))).all()
    return [dict(r) for r in rows] or [bundled_rubric().to_dict()]


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
    if row is None:
        return ()
    try:
        return vocabulary_from_data(row.content)
    except VocabularyError as exc:
        log.warning("organization %s: unusable vocabulary (%s); left out", org_id, exc)
        return ()


def org_language(session: Session, org_id: str) -> str | None:
    """The spoken language the organization's calls are transcribed in when their upload names none
    ("auto", "en", "zh", ...); None: English (the default). A stored value that is no longer a known
    language is left out with a warning."""
    from models import Organization
    from transcription.languages import parse_language

    org = session.get(Organization, org_id)
    value = org.default_language if org is not None else None
    if not value:
        return None
    try:
        return parse_language(value)
    except ValueError:
        log.warning("organization %s: unusable default language %r; using English", org_id, value)
        return None


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


@dataclass(frozen=True, slots=True)
class RepProfiles:
    """The voice profiles that tell a live mono call's rep (`live_rep_profiles`): `source`
    "uploader" when they are the profile of the rep the call names, "profile" when any of the
    organization's rep profiles."""

    profiles: tuple[VoiceProfile, ...] = ()
    source: RoleSource = "profile"


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
