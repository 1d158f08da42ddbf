"""Working together on a call: comments at a moment (threads one reply deep), @mentions that notify,
explicit shares, and each person's notifications (docs/collaboration.md).

- **Who comments.** Anyone who sees the call (`service.core.access.call_condition`, shares
  included) and whose role may (`call.comment`: people's roles, not an integration key). A comment
  is edited by its author only; deleted by its author, or by an admin (`comment.moderate`). A
  deleted comment that has replies stays as "comment deleted" (its text is removed), so the
  thread stays readable; one without replies disappears.
- **Threads.** A reply names a comment of the same call in `parent_id`; a reply to a reply joins
  the first comment's thread (threads are one level deep).
- **Mentions** (`service.domain.mentions`): a named person who may see the call gets a
  notification; one who may not gets none, and the answer lists them (`not_visible_to`): the call is
  never shared by a mention. Sharing is its own action (`share_call`).
- **Shares.** An admin, or a coach whose scope holds the call, shares it with one person of the
  organization: one `CallShare` row, which the access policy adds to that person's call scope
  everywhere; `unshare_call` removes it. Both are audited (`call.share`, `call.unshare`).
- **Who sees the call**: `mentions.sees_call`, the one rule the mentions, shares and the call
  page's pickers (`call_panel`) ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, delete, select, update

from models import Call, CallComment, CallShare, Notification, User
from models.base import utcnow
from service.core.access import CallOwner, Principal, allowed, may_share_call, require
from service.core.audit import Actor, record
from service.core.errors import Forbidden, Invalid, NotFound
from service.core.i18n import DEFAULT_LOCALE, N_, known_locale, tr
from service.domain import mention_mail
from service.domain.calls import visible_call
from service.domain.mentions import (
    Mentions,
    may_see,
    mention_choices,
    org_people,
    person,
    resolve_mentions,
    sees_call,
    share_choices,
    shared_with,
)

MAX_TEXT = 5000  # characters of one comment
EXCERPT = 280  # characters of a comment a notification (and its e-mail) quotes
SOMEONE, A_CALL = N_("Someone"), N_("a call")  # a mention e-mail's author and call without a name
# --- Comments ---------------------------------------------------------------------------------


def _moment(value: float | None, what: str, call: Call) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0:
        if what == "start":
            raise Invalid(N_("start must be a moment of the call (seconds from its start, 0 or more)"))
        raise Invalid(N_("end must be a moment of the call (seconds from its start, 0 or more)"))
    if call.duration_s is not None and value > call.duration_s + 1.0:
        if what == "start":
            raise Invalid(N_("start (%(value)g s) is after the end of the call (%(duration)g s)", value=value,
                             duration=call.duration_s))
        raise Invalid(N_("end (%(value)g s) is after the end of the call (%(duration)g s)", value=value,
                         duration=call.duration_s))
    return float(value)


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid(N_("a comment needs some text"))
    if len(text) > MAX_TEXT:
        raise Invalid(N_("a comment holds at most %(max)s characters", max=MAX_TEXT))
    return text


def _is_author(comment: CallComment, principal: Principal) -> bool:
    if principal.user_id is not None:
        return comment.author_user_id == principal.user_id
    return comment.author_user_id is None and comment.author_key_id == principal.key_id


@dataclass(frozen=True, slots=True)
class Saved:
    comment: CallComment
    mentions: Mentions
    notifications: list[Notification]


def _notify(session: Session, comment: CallComment, users: list[User], actor_id: str | None) -> list[Notification]:
    rows = [Notification(org_id=comment.org_id, user_id=u.id, kind="mention", call_id=comment.call_id,
                         comment_id=comment.id, actor_user_id=actor_id, at_s=comment.start_s,
                         excerpt=comment.body[:EXCERPT]) for u in users]
    session.add_all(rows)
    return rows


def add_comment(session: Session, principal: Principal, call_id: str, text: str, start: float | None = None,
                end: float | None = None, parent_id: str | None = None) -> Saved:
    """Store a comment (and the notifications of its mentions) on a call the principal sees."""
    require(principal, "call.comment")
    call = visible_call(session, principal, call_id)
    body = _text(text)
    parent = None
    if parent_id is not None:
        parent = session.get(CallComment, parent_id)
        if parent is None or parent.call_id != call.id:
            raise Invalid(N_("parent_id is not a comment of this call"))
        if parent.parent_id is not None:  # one level deep: join the thread's first comment
            parent = session.get(CallComment, parent.parent_id)
            assert parent is not None
        if parent.deleted_at is not None:
            raise Invalid(N_("that comment was deleted: start a new thread"))
    start_s = _moment(start, "start", call)
    if start_s is None:
        start_s = parent.start_s if parent is not None else 0.0
    end_s = _moment(end, "end", call)
    if end_s is not None and end_s <= start_s:
        raise Invalid(N_("end must come after start"))
    comment = CallComment(org_id=call.org_id, call_id=call.id, author_user_id=principal.user_id,
                          author_key_id=None if principal.user_id else principal.key_id,
                          parent_id=parent.id if parent else None, start_s=start_s, end_s=end_s, body=body)
    session.add(comment)
    mentions = resolve_mentions(session, call.org_id, body, call.id, principal.user_id)
    notes = _notify(session, comment, mentions.notified, principal.user_id)
    session.commit()
    return Saved(comment, mentions, notes)


def _own_comment(session: Session, principal: Principal, call_id: str, comment_id: str) -> tuple[Call, CallComment]:
    call = visible_call(session, principal, call_id)
    comment = session.get(CallComment, comment_id)
    if comment is None or comment.call_id != call.id or comment.deleted_at is not None:
        raise NotFound(N_("comment not found"))
    return call, comment


def edit_comment(session: Session, principal: Principal, call_id: str, comment_id: str, text: str) -> Saved:
    """Change a comment's text (its author only). People it newly mentions are notified; the
    notifications of the others quote the new text."""
    require(principal, "call.comment")
    call, comment = _own_comment(session, principal, call_id, comment_id)
    if not _is_author(comment, principal):
        raise Forbidden(N_("only its author may edit a comment"))
    comment.body = _text(text)
    comment.edited_at = utcnow()
    session.add(comment)
    already = set(session.exec(select(col(Notification.user_id)).where(col(Notification.comment_id) == comment.id)))
    session.exec(update(Notification).where(col(Notification.comment_id) == comment.id)
                 .values(excerpt=comment.body[:EXCERPT]))
    mentions = resolve_mentions(session, call.org_id, comment.body, call.id, principal.user_id, already)
    notes = _notify(session, comment, mentions.notified, principal.user_id)
    session.commit()
    return Saved(comment, mentions, notes)


def delete_comment(session: Session, principal: Principal, call_id: str, comment_id: str) -> None:
    """Delete a comment (its author, or an admin): its notifications go; a thread's first comment
    with replies keeps its place as "comment deleted"."""
    require(principal, "call.comment")
    _call, comment = _own_comment(session, principal, call_id, comment_id)
    if not (_is_author(comment, principal) or allowed(principal, "comment.moderate")):
        raise Forbidden(N_("only its author or an admin may delete a comment"))
    session.exec(delete(Notification).where(col(Notification.comment_id) == comment.id))
    has_replies = session.exec(select(func.count()).select_from(CallComment).where(
        col(CallComment.parent_id) == comment.id)).one()
    if has_replies:
        comment.body = ""
        comment.deleted_at = utcnow()
        session.add(comment)
    else:
        session.delete(comment)
        parent = session.get(CallComment, comment.parent_id) if comment.parent_id else None
        session.flush()
        if parent is not None and parent.deleted_at is not None:  # the last reply of a deleted first comment
            left = session.exec(select(func.count()).select_from(CallComment).where(
                col(CallComment.parent_id) == parent.id)).one()
            if not left:
                session.delete(parent)
    session.commit()


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    ids.discard("")
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(ids)))}


def comment_dict(comment: CallComment, names: dict[str, str], principal: Principal) -> dict[str, Any]:
    deleted = comment.deleted_at is not None
    author = comment.author_user_id
    return {
        "id": comment.id, "call_id": comment.call_id, "parent_id": comment.parent_id,
        "start": comment.start_s, "end": comment.end_s,
        "text": "" if deleted else comment.body, "deleted": deleted,
        "author": None if deleted or author is None else {"user_id": author, "name": names.get(author, "")},
        "created_at": comment.created_at, "edited_at": comment.edited_at,
        "link": moment_link(comment.call_id, comment.start_s),
        "can_edit": not deleted and _is_author(comment, principal),
        "can_delete": not deleted and (_is_author(comment, principal) or allowed(principal, "comment.moderate")),
    }


def moment_link(call_id: str, at: float) -> str:
    """The call page at a moment (a path; the page's player starts there)."""
    return f"/calls/{call_id}?t={int(at)}"


def list_threads(session: Session, principal: Principal, call_id: str) -> list[dict[str, Any]]:
    """The call's threads in time order (first comment's moment, then when it was written), each
    with its replies in the order they were written."""
    call = visible_call(session, principal, call_id)
    rows = list(session.exec(select(CallComment).where(col(CallComment.call_id) == call.id)
                             .order_by(col(CallComment.start_s), col(CallComment.created_at), col(CallComment.id))))
    names = _names(session, {c.author_user_id or "" for c in rows})
    replies: dict[str, list[dict[str, Any]]] = {}
    for c in rows:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(comment_dict(c, names, principal))
    threads = []
    for c in rows:
        if c.parent_id is None:
            mine = sorted(replies.get(c.id, []), key=lambda r: (r["created_at"], r["id"]))
            if c.deleted_at is not None and not mine:
                continue
            threads.append({**comment_dict(c, names, principal), "replies": mine})
    return threads


def saved_dict(session: Session, principal: Principal, saved: Saved) -> dict[str, Any]:
    names = _names(session, {saved.comment.author_user_id or ""})
    return {**comment_dict(saved.comment, names, principal), **saved.mentions.to_dict()}


# --- Shares -----------------------------------------------------------------------------------


def _share_target(session: Session, principal: Principal, call_id: str, user_id: str) -> tuple[Call, User | None]:
    require(principal, "call.share")
    call = visible_call(session, principal, call_id)
    if not may_share_call(principal, CallOwner(call.org_id, call.team_id, call.rep_user_id)):
        raise Forbidden(N_("only an admin, or a coach whose team the call belongs to, may share it"))
    user = session.get(User, user_id)
    return call, (user if user is not None and user.org_id == call.org_id else None)


def share_call(session: Session, principal: Principal, call_id: str, user_id: str) -> dict[str, Any]:
    """Let one person of the organization see the call (one `CallShare` row; sharing again keeps it)."""
    call, user = _share_target(session, principal, call_id, user_id)
    if user is None or user.disabled:
        raise Invalid(N_("user_id is not an enabled person of this organization"))
    row = session.exec(select(CallShare).where(col(CallShare.call_id) == call.id,
                                               col(CallShare.user_id) == user.id)).first()
    if row is None:
        already = may_see(session, user, call.id)
        row = CallShare(org_id=call.org_id, call_id=call.id, user_id=user.id, granted_by_user_id=principal.user_id)
        session.add(row)
        record(session, "call.share", org_id=call.org_id, actor=Actor.of(principal), target_kind="call",
               target_id=call.id, detail={"user_id": user.id}, commit=False)
        session.commit()
    else:
        already = False
    return {"call_id": call.id, "user_id": user.id, "name": user.name, "granted_by": row.granted_by_user_id,
            "created_at": row.created_at, "saw_it_already": already}


def unshare_call(session: Session, principal: Principal, call_id: str, user_id: str) -> None:
    """Remove the person's share of the call (nothing to remove is not an error)."""
    call, _user = _share_target(session, principal, call_id, user_id)
    row = session.exec(select(CallShare).where(col(CallShare.call_id) == call.id,
                                               col(CallShare.user_id) == user_id)).first()
    if row is None:
        return
    session.delete(row)
    record(session, "call.unshare", org_id=call.org_id, actor=Actor.of(principal), target_kind="call",
           target_id=call.id, detail={"user_id": user_id}, commit=False)
    session.commit()


def shares_of(session: Session, principal: Principal, call: Call) -> list[dict[str, str]]:
    """Who the call is shared with (for those who may share it; else nothing)."""
    if not may_share_call(principal, CallOwner(call.org_id, call.team_id, call.rep_user_id)):
        return []
    rows = session.exec(select(CallShare, User).join(User, col(User.id) == col(CallShare.user_id))
                        .where(col(CallShare.call_id) == call.id).order_by(col(User.name)))
    return [{"user_id": user.id, "name": user.name} for _share, user in rows]


MAX_UNSEEN = 20  # people named in the call page's "cannot see this call" notice


def call_panel(session: Session, principal: Principal, call: Call, unseen: str = "") -> dict[str, Any]:
    """What the call page's comments panel shows: the threads, whether the principal may comment
    and share, who the call is shared with, and after a save the people it mentioned who cannot see
    the call (`unseen`: their ids, comma-separated, from the page's redirect; others are ignored);
    the people the comment box offers after "@" (`mention_choices`) and, to those who may share it,
    the people who cannot see the call yet (`share_choices`: `share_more` counts them all)."""
    ids = [i for i in unseen.split(",") if i][:MAX_UNSEEN]
    named = list(session.exec(select(User).where(col(User.id).in_(ids), col(User.org_id) == call.org_id))) \
        if ids else []
    can_comment = allowed(principal, "call.comment")
    can_share = may_share_call(principal, CallOwner(call.org_id, call.team_id, call.rep_user_id))
    shared = shared_with(session, call.id)
    people = org_people(session, call.org_id) if can_comment or can_share else []
    choices, more = share_choices(session, people, call, shared) if can_share else ([], 0)
    return {"threads": list_threads(session, principal, call.id), "can_comment": can_comment,
            "can_share": can_share, "shares": shares_of(session, principal, call),
            "unseen": [person(u) for u in named if not sees_call(u, call, shared)],
            "mention_people": mention_choices(session, people, principal.user_id, call, shared) if can_comment else [],
            "share_choices": choices, "share_more": more}


# --- Notifications ----------------------------------------------------------------------------


def _notification_dict(n: Notification, titles: dict[str, str], names: dict[str, str]) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "call_id": n.call_id, "call_title": titles.get(n.call_id, ""),
            "comment_id": n.comment_id, "at": n.at_s, "link": moment_link(n.call_id, n.at_s),
            "excerpt": n.excerpt, "by": names.get(n.actor_user_id or "") or None,
            "created_at": n.created_at, "read": n.read_at is not None, "read_at": n.read_at}


def notifications(session: Session, principal: Principal, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The principal's own notifications, unread first, newest first within each; a key of no person
    has none."""
    if principal.user_id is None:
        return {"unread": 0, "total": 0, "items": []}
    mine = (col(Notification.user_id) == principal.user_id, col(Notification.org_id) == principal.org_id)
    unread = unread_count(session, principal)
    total = session.exec(select(func.count()).select_from(Notification).where(*mine)).one()
    rows = list(session.exec(select(Notification).where(*mine).order_by(
        case((col(Notification.read_at).is_(None), 0), else_=1), col(Notification.created_at).desc(),
        col(Notification.id)).offset(offset).limit(limit)))
    titles = {c.id: c.title or (c.original_filename or "Untitled call") for c in session.exec(
        select(Call).where(col(Call.id).in_({n.call_id for n in rows})))} if rows else {}
    names = _names(session, {n.actor_user_id or "" for n in rows})
    return {"unread": unread, "total": int(total), "items": [_notification_dict(n, titles, names) for n in rows]}


def unread_count(session: Session, principal: Principal) -> int:
    if principal.user_id is None:
        return 0
    return int(session.exec(select(func.count()).select_from(Notification).where(
        col(Notification.user_id) == principal.user_id, col(Notification.org_id) == principal.org_id,
        col(Notification.read_at).is_(None))).one())


def mark_read(session: Session, principal: Principal, notification_id: str) -> dict[str, Any]:
    """Mark one of the principal's own notifications read (someone else's: 404)."""
    n = session.get(Notification, notification_id)
    if n is None or principal.user_id is None or n.user_id != principal.user_id:
        raise NotFound(N_("notification not found"))
    if n.read_at is None:
        n.read_at = utcnow()
        session.add(n)
        session.commit()
    call = session.get(Call, n.call_id)
    titles = {call.id: call.title or "Untitled call"} if call else {}
    return _notification_dict(n, titles, _names(session, {n.actor_user_id or ""}))


def mark_all_read(session: Session, principal: Principal) -> int:
    if principal.user_id is None:
        return 0
    result = session.exec(update(Notification).where(
        col(Notification.user_id) == principal.user_id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow()))
    session.commit()
    return int(result.rowcount or 0)


# --- Forgetting a person ----------------------------------------------------------------------


def forget_author(session: Session, user_id: str, key_ids: set[str], counts: Any) -> None:
    """Blank the comments a forgotten person (or their keys) wrote, keeping the threads others replied
    in; forget who granted a share (the share stays). The caller deletes their notifications (a
    foreign key to them) and commits."""
    mine = col(CallComment.author_user_id) == user_id
    if key_ids:
        mine = mine | col(CallComment.author_key_id).in_(key_ids)
    ids = list(session.exec(select(col(CallComment.id)).where(mine)))
    if ids:
        session.exec(delete(Notification).where(col(Notification.comment_id).in_(ids)))
        session.exec(update(CallComment).where(col(CallComment.id).in_(ids)).values(
            body="", deleted_at=utcnow(), author_user_id=None, author_key_id=None))
        counts["call_comments"] += len(ids)
    session.exec(update(CallShare).where(col(CallShare.granted_by_user_id) == user_id)
                 .values(granted_by_user_id=None))


# --- E-mail -----------------------------------------------------------------------------------


def mail_mentions(session: Session, saved: Saved, base_url: str, smtp_url: str | None, sender: str) -> int:
    """Queue the mention e-mails of a committed comment (`service.domain.mention_mail`), one per
    notified person with an e-mail address, each in that person's stored language (`User.locale`,
    else English); returns how many. Nothing without `smtp_url`."""
    if not smtp_url or not saved.mentions.notified:
        return 0
    call = session.get(Call, saved.comment.call_id)
    by = _names(session, {saved.comment.author_user_id or ""}).get(saved.comment.author_user_id or "")
    title = call.title if call else None
    link = base_url.rstrip("/") + moment_link(saved.comment.call_id, saved.comment.start_s)
    mails = []
    for u in saved.mentions.notified:
        if not u.email:
            continue
        locale = known_locale(u.locale) or DEFAULT_LOCALE  # the recipient's stored language, else English
        mails.append(mention_mail.Mail(u.email, u.name, by or tr(locale, SOMEONE), title or tr(locale, A_CALL),
                                       saved.comment.start_s, saved.comment.body[:EXCERPT], link, locale))
    mention_mail.send_later(smtp_url, sender, mails)
    return len(mails)
