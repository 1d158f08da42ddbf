"""One call: creating it (upload and live alike), finding it within the access policy, its stored
analysis, deleting it."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from models import ApiKey, Call, CallResult, Job, Tombstone, User, WebSession
from service.core.access import (
    CallOwner,
    Principal,
    call_condition,
    may_delete_call,
    may_see_call,
    require_delete_call,
)
from service.core.audit import Actor
from service.core.errors import Conflict, Invalid, NotFound
from service.core.i18n import N_
from service.core.template_patterns import template_opening, template_pattern
from service.domain.erasure import delete_calls, leave_tombstone
from service.storage import AudioStore


class OutsideScope(Invalid):
    """A call was to be filed under a person the principal may not add calls for."""


def call_owner(session: Session, principal: Principal, rep_user_id: str | None) -> tuple[str | None, str | None]:
    """(rep user id, team id) a new call (upload or live) belongs to. Naming nobody files it under
    the person adding it (a rep or coach) or under no one (admin, integration); naming a rep needs
    the access policy to let the principal see that rep's calls."""
    if rep_user_id is None:
        if principal.role in ("rep", "coach"):
            return principal.user_id, principal.team_id
        return None, None
    user = session.get(User, rep_user_id)
    if user is None or user.org_id != principal.org_id:
        raise Invalid(N_("rep_user_id is not a user of this organization"))
    if not may_see_call(principal, CallOwner(user.org_id, user.team_id, user.id)):
        if principal.role == "rep":
            raise OutsideScope(N_("a %(role)s can only add their own calls", role=principal.role))
        raise OutsideScope(N_("a %(role)s can only add their team's calls", role=principal.role))
    return user.id, user.team_id


def rep_name_for(session: Session, rep_user_id: str | None, named: str | None) -> str | None:
    """The rep's name as transcripts and insights show it: the name the client gave, else the name
    of the user the call belongs to."""
    if named is not None or rep_user_id is None:
        return named
    user = session.get(User, rep_user_id)
    return user.name if user else None


@dataclass(frozen=True, slots=True)
class NewCall:
    """A call to create: whose it is (`call_owner` decided), what the client said about it, and its
    file, still a temporary object of the audio store (`temp_key`, stored as `original{suffix}`)."""

    org_id: str
    team_id: str | None
    rep_user_id: str | None
    added_by_key_id: str
    temp_key: str
    suffix: str
    media_kind: str  # audio | vtt | json
    size_bytes: int
    sha256: str
    original_filename: str | None = None
    audio_type: str | None = None  # known only for audio Talktrack wrote itself (live calls)
    title: str | None = None
    rep_name: str | None = None
    rep_channel: int = 0
    num_speakers: int | None = None
    started_at: datetime | None = None
    deal_id: str | None = None
    crm_ids: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    call_id: str | None = None  # a live call's id, chosen when it started
    language: str | None = None  # the spoken language chosen ("auto", "en", "zh", ...); None: the org's default


@dataclass(frozen=True, slots=True)
class CreatedCall:
    """The stored call and its queued analysis job; `replayed`: the Idempotency-Key was used before
    and `call` is the first request's call (no new job)."""

    call: Call
    job_id: str | None
    replayed: bool = False


def call_by_idempotency_key(session: Session, org_id: str, key: str) -> Call | None:
    return session.exec(select(Call).where(col(Call.org_id) == org_id, col(Call.idempotency_key) == key)).first()


def check_same_file(call: Call, sha256: str) -> None:
    """An Idempotency-Key names one request: reusing it for another file is a client error (422),
    not a silent replay of a different call (draft-ietf-httpapi-idempotency-key-header)."""
    if sha256 != call.sha256:
        raise Invalid(N_("this Idempotency-Key was already used for a different file; send a new key for a new "
                         "upload"))


def create_call(session: Session, store: AudioStore, new: NewCall, rows: Sequence[SQLModel] = ()) -> CreatedCall:
    """Store a new call: move its file into place (fsynced), then insert the call, its analysis job
    and `rows` (a live call's card record) in one transaction. The caller dispatches the job.

    A concurrent retry with the same Idempotency-Key that won the insert: its call is returned
    (`replayed`, for the same file only) and this request's file removed. No other failure leaves
    a file behind without its call row."""
    call = Call(org_id=new.org_id, team_id=new.team_id, rep_user_id=new.rep_user_id,
                uploaded_by_key_id=new.added_by_key_id, idempotency_key=new.idempotency_key, title=new.title,
                rep_name=new.rep_name, rep_channel=new.rep_channel, num_speakers=new.num_speakers,
                started_at=new.started_at, deal_id=new.deal_id, crm_ids=new.crm_ids, media_kind=new.media_kind,
                original_filename=new.original_filename, size_bytes=new.size_bytes, sha256=new.sha256,
                audio_type=new.audio_type, language=new.language)
    if new.call_id is not None:
        call.id = new.call_id
    call.storage_key = f"calls/{call.id}/original{new.suffix}"
    store.commit(new.temp_key, call.storage_key)
    try:
        session.add(call)
        session.add_all(rows)
        job = Job(call_id=call.id)
        session.add(job)
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same Idempotency-Key won the insert: answer with its call.
        session.rollback()
        store.delete_prefix(f"calls/{call.id}")
        key = new.idempotency_key
        found = None if key is None else call_by_idempotency_key(session, new.org_id, key)
        if found is None:
            raise
        check_same_file(found, new.sha256)
        return CreatedCall(found, None, replayed=True)
    except BaseException:
        store.delete_prefix(f"calls/{call.id}")  # no call row: its file must not stay behind
        raise
    return CreatedCall(call, job.id)


def visible_call(session: Session, principal: Principal, call_id: str) -> Call:
    """The call if the principal may see it; NotFound otherwise (also for other organizations)."""
    call = session.exec(select(Call).where(col(Call.id) == call_id, call_condition(principal))).first()
    if call is None:
        raise NotFound(N_("call not found"))
    return call


def analysis_if_done(session: Session, call: Call) -> dict[str, Any] | None:
    """The call's analysis JSON, or None while it is not analysed."""
    row = session.get(CallResult, call.id) if call.status == "done" else None
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row.analysis_json)
    return data


def stored_analysis(session: Session, call: Call) -> dict[str, Any]:
    """The call's analysis JSON; Conflict while it is not analysed."""
    data = analysis_if_done(session, call)
    if data is None:
        raise Conflict(expired_analysis(call)
                       or N_("the call is not analysed (status: %(status)s)", status=call.status))
    return data


def expired_analysis(call: Call) -> str | None:
    """Why a call has no transcript or analysis any more (the retention policy), or None."""
    if call.analysis_expired_at is None:
        return None
    return N_("the call's transcript and analysis were deleted on %(day)s under the organization's retention "
              "policy", day=f"{call.analysis_expired_at:%Y-%m-%d}")


def expired_audio(call: Call) -> str | None:
    """Why a call has no recording any more (the retention policy), or None."""
    if call.audio_expired_at is None:
        return None
    return N_("the recording was deleted on %(day)s under the organization's retention policy",
              day=f"{call.audio_expired_at:%Y-%m-%d}")


def roles_note_of(analysis: dict[str, Any]) -> dict[str, str] | None:
    """`roles_note` of an analysis JSON (why no speaker is the rep, and how to fix it), or None."""
    note = analysis.get("roles_note")
    if isinstance(note, dict) and isinstance(note.get("why"), str) and isinstance(note.get("fix"), str):
        return {"why": note["why"], "fix": note["fix"]}
    return None


@functools.cache
def _unheard() -> tuple[re.Pattern[str], ...]:
    """The openings of `transcription.unheard`'s warnings ("speech from 0:05 to 0:20 (15 s) gave no
    words", "speech in Chinese (zh, p=0.98) from 0:00 to 0:40 (40 s) was not transcribed"), each
    with its `seconds` of speech without words: the words after the colon were worded otherwise in
    older analyses."""
    from transcription import unheard

    templates = (unheard.UNHEARD_LANGUAGE_AUTO_WARNING, unheard.UNHEARD_LANGUAGE_WARNING,
                 unheard.UNHEARD_AUTO_WARNING, unheard.UNHEARD_WARNING)
    openings = dict.fromkeys(template_opening(t, ": ") for t in templates)  # two forms share each
    return tuple(template_pattern(opening, whole=False) for opening in openings)


def _unheard_seconds(warning: object) -> float:
    """The seconds of speech an unheard-speech warning says gave no words, else 0."""
    if isinstance(warning, str):
        for pattern in _unheard():
            if (found := pattern.match(warning)) is not None:
                return float(found.group("seconds"))
    return 0.0


NO_SPEECH_MESSAGE = N_("This call has no speech Talktrack can read: the recording is silent, or noise, or in a "
                       "language the speech model does not transcribe. It has no transcript or metrics to review, "
                       "so it gets no scorecard, stays out of the review inbox and is not counted in trends or "
                       "insights.")  # marked: the call page shows it translated


def speechless_reason(analysis: Any) -> str | None:
    """Why a call has no speech to coach (an analysis JSON or a `CallAnalysis`), else None: the one
    rule for the scorecard, the review inbox, trends, insights and the call page. A call is
    speechless when its analysis has no words, or when speech that gave no words (another
    language, noise) covers at least half of the call."""
    if isinstance(analysis, dict):
        words, warnings, duration = analysis.get("words"), analysis.get("warnings"), analysis.get("duration_s")
    else:
        t = analysis.transcript
        words, warnings, duration = t.words, t.warnings, t.duration_s
    if not words:
        return "no words"
    unheard = sum(_unheard_seconds(w) for w in warnings or [])
    if unheard > 0 and unheard >= 0.5 * float(duration or 0.0):
        return f"{unheard:.0f} s of speech gave no words"
    return None


def uploader(session: Session, call: Call) -> str | None:
    """Who uploaded the call, as `service.core.access.may_delete_call` compares it: the person (their
    user id), or the key of no person that did. `Call.uploaded_by_key_id` holds a signed-in person's
    user id or a key's id (`access.uploader_of`); calls stored before that hold a browser session's id."""
    raw = call.uploaded_by_key_id
    if raw is None:
        return None
    key = session.get(ApiKey, raw)
    if key is not None:
        return key.user_id or key.id
    browser = session.get(WebSession, raw)  # a call uploaded in a browser by an earlier version
    return browser.user_id if browser is not None else raw


def _uploaded_at(call: Call) -> datetime:
    return call.created_at.replace(tzinfo=UTC) if call.created_at.tzinfo is None else call.created_at


def may_delete(session: Session, principal: Principal, call: Call, grace_h: float) -> bool:
    """Whether the principal may delete this call it sees (the call page shows the button only then)."""
    return may_delete_call(principal, uploader(session, call), _uploaded_at(call), datetime.now(UTC), grace_h)


def delete_call(session: Session, principal: Principal, call_id: str, store: AudioStore, grace_h: float) -> Tombstone:
    """Delete a call the principal sees and may delete (`access.may_delete_call`: an admin, or its
    uploader within `grace_h` hours): its files, then its rows (a storage failure leaves the call as it
    was, to delete again), with a tombstone and an audit event in the same transaction as the rows."""
    call = visible_call(session, principal, call_id)
    require_delete_call(principal, uploader(session, call), _uploaded_at(call), datetime.now(UTC), grace_h)
    store.delete_prefix(f"calls/{call.id}")
    for attempt in range(3):
        try:
            counts: Counter[str] = Counter(objects=1 if call.storage_key else 0)
            delete_calls(session, [call.id], counts)
            stone = leave_tombstone(session, org_id=call.org_id, kind="call", subject_id=call.id, call_ids=[call.id],
                                    counts=counts, actor=Actor.of(principal), action="call.delete",
                                    detail={"as": "admin" if principal.role == "admin" else "uploader"})
            session.commit()
            return stone
        except IntegrityError:
            # A worker finishing this very call inserted a row meanwhile: delete again.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def delete_call_rows(session: Session, call_id: str) -> None:
    """Delete a call and every row that refers to it (`service.domain.erasure.delete_calls`), and commit."""
    delete_calls(session, [call_id], Counter())
    session.commit()
