"""Deleting on request: a call, a deal (all its calls and its outcomes), or everything about a person
(`talktrack admin forget`, `POST /v1/forget`, the admin page). Admins only (`data.forget`); from
the command line, whoever runs it on the server.

Each deletion removes the objects from the audio store first, then every row, and leaves one
`Tombstone` (ids, kinds, counts, when, by whom) and one audit event in the same transaction as the
rows. If the store cannot be reached nothing is removed from the database, and the same deletion
can be run again (deleting an object that is gone already is not an error).

What "everything about a person" removes (docs/security.md):

- their calls: the calls filed under them, and the calls filed under no one whose rep name is
  theirs (how trends and scorecards attribute such calls), with everything that refers to them;
- their comments and scores on other people's scorecards (the comment is removed; a score they
  set stays, without their name), and their name as a speaker label in other calls' analyses;
- the comments they wrote on calls (the text is removed; a thread others replied in keeps its
  place as "comment deleted"), the notifications they received or caused; shares they granted stay;
- their voice profiles (linked to them, or unlinked under their name), API keys, browser
  sessions and invites, and every other row with a foreign key to them;
- their user row itself (removed, not anonymised: nothing in Talktrack needs it any more). The
  audit trail keeps events with their id as actor or target; the id no longer names anyone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from models import ApiKey, Call, CallResult, Outcome, ScorecardRecord, Tombstone, User, VoiceProfile
from service.core.access import Principal, require
from service.core.audit import Actor
from service.core.errors import Invalid, NotFound, StorageUnavailable
from service.core.i18n import N_
from service.domain import comments
from service.domain.erasure import delete_calls, delete_where, leave_tombstone
from service.storage import AudioStore


def _scope(principal: Principal | None, org_id: str | None) -> str | None:
    """The organization the deletion is confined to: the principal's (after the permission check),
    or the one the command line named (None: the row's own)."""
    if principal is None:
        return org_id
    require(principal, "data.forget")
    return principal.org_id


def _remove_objects(store: AudioStore, calls: list[Call], counts: Counter[str]) -> None:
    try:
        for call in calls:
            store.delete_prefix(f"calls/{call.id}")
            if call.storage_key:
                counts["objects"] += 1
    except StorageUnavailable as exc:
        raise StorageUnavailable(N_("%(error)s. Nothing was deleted from the database: run the deletion again "
                                    "once the storage is back", error=str(exc))) from None


def _transaction(session: Session, counts: Counter[str], work: Callable[[Counter[str]], Tombstone]) -> Tombstone:
    """Run the row deletions and the tombstone as one transaction; a worker finishing one of the
    calls meanwhile (its insert then fails the foreign key) makes it run again, up to three times."""
    for attempt in range(3):
        attempt_counts = Counter(counts)
        try:
            stone = work(attempt_counts)
            session.commit()
            return stone
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _finish(session: Session, call_ids: list[str], counts: Counter[str], **tombstone: Any) -> Tombstone:
    def work(n: Counter[str]) -> Tombstone:
        delete_calls(session, call_ids, n)
        return leave_tombstone(session, call_ids=call_ids, counts=n, **tombstone)

    return _transaction(session, counts, work)


def forget_call(session: Session, store: AudioStore, actor: Actor, call_id: str, *,
                principal: Principal | None = None, org_id: str | None = None) -> Tombstone:
    """Delete one call, its objects and every row that refers to it."""
    org = _scope(principal, org_id)
    call = session.get(Call, call_id)
    if call is None or (org is not None and call.org_id != org):
        raise NotFound(N_("call not found"))
    counts: Counter[str] = Counter()
    _remove_objects(store, [call], counts)
    return _finish(session, [call.id], counts, org_id=call.org_id, kind="call", subject_id=call.id, actor=actor,
                   action="call.delete")


def forget_deal(session: Session, store: AudioStore, actor: Actor, deal_id: str, *,
                principal: Principal | None = None, org_id: str | None = None) -> Tombstone:
    """Delete every call of a deal (CRM deal id, per organization) and the deal's outcomes."""
    org = _scope(principal, org_id)
    if org is None:
        raise Invalid(N_("a deal id is the CRM's, so name the organization too (--org ORG_ID)"))
    calls = list(session.exec(select(Call).where(col(Call.org_id) == org, col(Call.deal_id) == deal_id)).all())
    deal_outcomes = and_(col(Outcome.org_id) == org, col(Outcome.deal_id) == deal_id)
    has_outcomes = session.exec(select(Outcome.id).where(deal_outcomes).limit(1)).first() is not None
    if not calls and not has_outcomes:
        raise NotFound(N_("deal not found: no call or outcome has this deal id"))
    counts: Counter[str] = Counter()
    _remove_objects(store, calls, counts)
    call_ids = [c.id for c in calls]

    def work(n: Counter[str]) -> Tombstone:
        delete_where(session, SQLModel.metadata.tables["outcome"], deal_outcomes, n)
        delete_calls(session, call_ids, n)
        return leave_tombstone(session, call_ids=call_ids, counts=n, org_id=org, kind="deal", subject_id=deal_id,
                               actor=actor, action="deal.delete")

    return _transaction(session, counts, work)


def _check_person(session: Session, principal: Principal | None, user: User) -> None:
    if principal is not None and principal.user_id == user.id:
        raise Invalid(N_("you cannot delete yourself: ask another admin"))
    if user.role == "admin" and not user.disabled:
        admins = session.exec(select(func.count()).select_from(User).where(
            col(User.org_id) == user.org_id, col(User.role) == "admin", col(User.disabled).is_(False))).one()
        if int(admins) <= 1:
            raise Invalid(N_("%(name)s is the organization's only admin: make someone else admin first",
                             name=user.name))


def _scrub_scorecards(session: Session, org_id: str, authors: set[str], counts: Counter[str]) -> None:
    """Remove the authors' comments from the organization's scorecards and their name from the
    scores they set; forget which of their keys wrote a scorecard."""
    rows = session.exec(select(ScorecardRecord).where(
        col(ScorecardRecord.org_id) == org_id,
        or_(*[col(ScorecardRecord.card_json).contains(f'"{a}"') for a in authors]))).all()
    for row in rows:
        card = json.loads(row.card_json)
        comments = [c for c in card.get("comments") or [] if c.get("by") not in authors]
        removed = len(card.get("comments") or []) - len(comments)
        for item in card.get("items") or []:
            if item.get("by") in authors:
                item["by"] = None
                counts["scores_unattributed"] += 1
        card["comments"] = comments
        counts["scorecard_comments"] += removed
        row.card_json = json.dumps(card, separators=(",", ":"))
        session.add(row)
    for model, column in ((ScorecardRecord, "created_by_key_id"), (Outcome, "created_by_key_id"),
                          (Call, "uploaded_by_key_id")):
        session.exec(update(model).where(col(getattr(model, column)).in_(authors)).values({column: None}))


def _unname_speakers(session: Session, org_id: str, name: str, counts: Counter[str]) -> None:
    """Other calls' analyses that label a speaker with the person's name label them by id only."""
    wanted = name.strip().casefold()
    rows = session.exec(select(CallResult).join(Call, col(Call.id) == col(CallResult.call_id)).where(
        col(Call.org_id) == org_id, col(CallResult.analysis_json).contains(json.dumps(name.strip())))).all()
    for row in rows:
        analysis = json.loads(row.analysis_json)
        changed = 0
        for speaker in analysis.get("speakers") or []:
            if isinstance(speaker.get("name"), str) and speaker["name"].strip().casefold() == wanted:
                speaker["name"] = None
                changed += 1
        if not changed:
            continue
        row.analysis_json = json.dumps(analysis, separators=(",", ":"))
        names = getattr(row, "speaker_names", None)
        if isinstance(names, list):
            row.speaker_names = [n for n in names if not (isinstance(n, str) and n.strip().casefold() == wanted)]
        session.add(row)
        counts["speaker_labels"] += changed


def forget_person(session: Session, store: AudioStore, actor: Actor, user_id: str, *,
                  principal: Principal | None = None, org_id: str | None = None) -> Tombstone:
    """Delete everything about a person (see the module's docstring) and their user row."""
    org = _scope(principal, org_id)
    user = session.get(User, user_id)
    if user is None or (org is not None and user.org_id != org):
        raise NotFound(N_("user not found"))
    _check_person(session, principal, user)
    calls = list(session.exec(select(Call).where(col(Call.org_id) == user.org_id, or_(
        col(Call.rep_user_id) == user.id,
        and_(col(Call.rep_user_id).is_(None), col(Call.rep_name) == user.name)))).all())
    counts: Counter[str] = Counter()
    _remove_objects(store, calls, counts)
    call_ids, org_id, name = [c.id for c in calls], user.org_id, user.name
    keys = set(session.exec(select(ApiKey.id).where(col(ApiKey.user_id) == user_id)).all())

    def work(n: Counter[str]) -> Tombstone:
        delete_calls(session, call_ids, n)
        _scrub_scorecards(session, org_id, {user_id} | keys, n)
        comments.forget_author(session, user_id, keys, n)
        delete_where(session, SQLModel.metadata.tables["scorecardrecord"],
                     col(ScorecardRecord.rep_user_id) == user_id, n)
        _unname_speakers(session, org_id, name, n)
        delete_where(session, SQLModel.metadata.tables["voiceprofile"], and_(
            col(VoiceProfile.org_id) == org_id, col(VoiceProfile.user_id).is_(None),
            col(VoiceProfile.name) == name), n)
        users = SQLModel.metadata.tables["user"]
        delete_where(session, users, users.c.id == user_id, n)  # keys, sessions, invites, profiles first
        return leave_tombstone(session, org_id=org_id, kind="person", subject_id=user_id, call_ids=call_ids,
                               counts=n, actor=actor, action="person.delete")

    return _transaction(session, counts, work)
