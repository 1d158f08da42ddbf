"""An organization's retention policy and applying it.

The policy keeps recordings `audio_days` and transcripts and analysis `analysis_days` after
Talktrack stored the call (`Call.created_at`); None keeps them forever, the default. The sweeper of
every API process applies it every `TALKTRACK_RETENTION_INTERVAL_S` (`service.jobs.retention`),
and `talktrack admin retention --apply` runs it at once.

Applying it, per call past its age (and not being analysed at the moment):

- **recording**: the call's objects are removed from the audio store, then the call row is marked
  (`audio_expired_at`; no `storage_key` or `audio_type` any more). A store that cannot be reached
  leaves the call unmarked, and the next run tries again; a run that stopped between the two steps
  is finished by the next (removing a missing object is not an error).
- **transcript and analysis**: every row made from the call's words is deleted
  (`service.domain.erasure.delete_call_content`: analysis, search text, suggestions and brief,
  feature row, scorecards, live cards, webhook payloads), a transcript upload's stored file too,
  and the call is marked (`analysis_expired_at`). The call row, its jobs and its outcome stay.

Each run that removed something leaves one tombstone per organization (kind `retention`, the ids
of the calls and the counts) and a `retention.delete` audit event by the system.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from models import Call, RetentionPolicy
from models.base import utcnow
from models.privacy_public import MAX_DAYS  # a hundred years; "forever" is None
from service.core.access import Principal, require
from service.core.audit import SYSTEM, Actor, record
from service.core.errors import Invalid, StorageUnavailable
from service.core.i18n import N_
from service.domain.erasure import delete_call_content, leave_tombstone
from service.storage import AudioStore

log = logging.getLogger(__name__)

BATCH = 200  # calls per organization and kind in one run; the next run takes the rest
SETTLED = ("done", "failed")  # a queued or running analysis still needs its file


@dataclass(frozen=True, slots=True)
class Policy:
    audio_days: int | None
    analysis_days: int | None


def get_policy(session: Session, org_id: str) -> Policy:
    row = session.get(RetentionPolicy, org_id)
    return Policy(None, None) if row is None else Policy(row.audio_days, row.analysis_days)


def _days(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        if what == "recordings":
            raise Invalid(N_("recordings are kept 1 to %(max)s days, or forever (leave it empty, or null in the API)",
                             max=f"{MAX_DAYS:,}"))
        raise Invalid(N_("transcripts and analyses are kept 1 to %(max)s days, or forever (leave it empty, or null "
                         "in the API)", max=f"{MAX_DAYS:,}"))
    return value


def set_policy(session: Session, org_id: str, audio_days: int | None, analysis_days: int | None, actor: Actor,
               principal: Principal | None = None) -> Policy:
    """Store the organization's policy (`retention.manage` for a principal) with its audit event."""
    if principal is not None:
        require(principal, "retention.manage")
        org_id = principal.org_id
    new = Policy(_days(audio_days, "recordings"), _days(analysis_days, "transcripts and analyses"))
    row = session.get(RetentionPolicy, org_id) or RetentionPolicy(org_id=org_id)
    old = Policy(row.audio_days, row.analysis_days)
    row.audio_days, row.analysis_days, row.updated_at = new.audio_days, new.analysis_days, utcnow()
    session.add(row)
    record(session, "retention.update", org_id=org_id, actor=actor, target_kind="org", target_id=org_id,
           detail={"audio_days": [old.audio_days, new.audio_days],
                   "analysis_days": [old.analysis_days, new.analysis_days]}, commit=False)
    session.commit()
    return new


@dataclass
class RetentionRun:
    """What one run removed, per organization: call ids and counts."""

    audio_calls: dict[str, list[str]] = field(default_factory=dict)
    analysis_calls: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def total(self) -> int:
        return sum(map(len, self.audio_calls.values())) + sum(map(len, self.analysis_calls.values()))


def _due(session: Session, org_id: str, before: datetime, marker: str,
         extra: list[ColumnElement[bool]]) -> list[Call]:
    return list(session.exec(select(Call).where(
        col(Call.org_id) == org_id, col(getattr(Call, marker)).is_(None), col(Call.status).in_(SETTLED),
        col(Call.created_at) < before, *extra).order_by(col(Call.created_at)).limit(BATCH)).all())


def _remove(store: AudioStore, calls: list[Call], org_id: str, what: str, run: RetentionRun) -> list[Call]:
    """Remove the calls' objects; returns the calls whose objects are gone (all of them unless the
    store failed: then the rest wait for the next run)."""
    removed: list[Call] = []
    for call in calls:
        try:
            store.delete_prefix(f"calls/{call.id}")
        except StorageUnavailable as exc:
            run.errors.append(f"organization {org_id}: {what} not deleted yet: {exc}")
            break
        removed.append(call)
    return removed


def _mark(session: Session, call_id: str, marker: str, values: dict[str, object]) -> bool:
    """Mark one call, unless another process's sweeper did (or its analysis started again)."""
    return session.exec(update(Call).where(col(Call.id) == call_id, col(getattr(Call, marker)).is_(None),
                                           col(Call.status).in_(SETTLED))
                        .values({marker: values.pop("at"), **values})).rowcount == 1


def _apply_policy(session: Session, store: AudioStore, policy: RetentionPolicy, now: datetime,
                  run: RetentionRun) -> None:
    """One organization: objects first, then the rows, the marks and the tombstone in one transaction."""
    org_id = policy.org_id
    audio: list[Call] = []
    analysis: list[Call] = []
    if policy.audio_days:
        due = _due(session, org_id, now - timedelta(days=policy.audio_days), "audio_expired_at",
                   [col(Call.media_kind) == "audio", col(Call.storage_key).is_not(None)])
        audio = _remove(store, due, org_id, "recordings", run)
    if policy.analysis_days:
        # A recording whose analysis failed has no transcript or analysis to delete.
        due = _due(session, org_id, now - timedelta(days=policy.analysis_days), "analysis_expired_at",
                   [or_(col(Call.status) == "done", col(Call.media_kind) != "audio")])
        files = _remove(store, [c for c in due if c.media_kind != "audio" and c.storage_key], org_id,
                        "transcript files", run)
        kept = {c.id for c in due if c.media_kind != "audio" and c.storage_key} - {c.id for c in files}
        analysis = [c for c in due if c.id not in kept]
    counts: Counter[str] = Counter()
    done_audio = [c.id for c in audio
                  if _mark(session, c.id, "audio_expired_at", {"at": now, "storage_key": None, "audio_type": None})]
    done_analysis = []
    for call in analysis:
        transcript_file = call.media_kind != "audio" and call.storage_key is not None
        if _mark(session, call.id, "analysis_expired_at", {"at": now, **({"storage_key": None} if transcript_file else {})}):
            delete_call_content(session, [call.id], counts)
            counts["objects"] += int(transcript_file)
            done_analysis.append(call.id)
    if not done_audio and not done_analysis:
        session.commit()
        return
    counts["objects"] += len(done_audio)
    counts["recordings"], counts["analyses"] = len(done_audio), len(done_analysis)
    leave_tombstone(session, org_id=org_id, kind="retention", subject_id=org_id,
                    call_ids=sorted(set(done_audio) | set(done_analysis)), counts=counts, actor=SYSTEM,
                    action="retention.delete")
    session.commit()
    run.audio_calls[org_id], run.analysis_calls[org_id] = done_audio, done_analysis


def apply_retention(session: Session, store: AudioStore, now: datetime | None = None) -> RetentionRun:
    """Apply every organization's policy once (at most `BATCH` calls per organization and kind)."""
    now = now or utcnow()
    run = RetentionRun()
    policies = session.exec(select(RetentionPolicy).where(
        (col(RetentionPolicy.audio_days).is_not(None)) | (col(RetentionPolicy.analysis_days).is_not(None)))).all()
    for policy in list(policies):
        _apply_policy(session, store, policy, now, run)
    return run
