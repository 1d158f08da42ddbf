"""The people around a call: who sees it, whom an @token names, and whom the call page offers to
mention or to share the call with (docs/collaboration.md, "Mentions").

- **Mentions** (`mention_keys`, `resolve_mentions`): `@token` names the people of the comment's
  organization (enabled ones) whose display name or e-mail local part equals the token once spaces,
  dots, underscores and hyphens are dropped and case is ignored. A token that names two people
  names neither (`ambiguous`). Those named are split by whether they may see the call.
- **Who sees the call** is one rule here, `sees_call` (the access policy's `may_see_call`, plus
  "disabled sees nothing"): the mentions' split, a share's `saw_it_already` and the call page's
  pickers (`mention_choices`, each person with the handle that names them alone, `mention_handle`;
  `share_choices`, the people who cannot see the call yet) all ask it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models import Call, CallShare, Team, User
from service.core.access import CallOwner, Principal, may_see_call

_MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*)")
_TOKEN = re.compile(r"[\w][\w.\-]*")  # what `_MENTION` reads after the "@"
_FOLD = re.compile(r"[\s._\-]+")
MAX_PEOPLE = 500  # people the call page offers to mention, and to share the call with


def mention_key(text: str) -> str:
    """What a mention and a name are compared as: no spaces, dots, underscores or hyphens; no case."""
    return _FOLD.sub("", text).casefold()


def mention_keys(text: str) -> list[str]:
    """The keys of the `@tokens` of a comment, in order, each once."""
    seen: dict[str, None] = {}
    for m in _MENTION.finditer(text):
        key = mention_key(m.group(1))
        if key:
            seen.setdefault(key, None)
    return list(seen)


@dataclass(slots=True)
class Mentions:
    """What a comment's @mentions came to: who is notified, who cannot see the call (not notified),
    and the tokens that name more than one person."""

    notified: list[User] = field(default_factory=list)
    not_visible: list[User] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"mentioned": [person(u) for u in self.notified],
                "not_visible_to": [person(u) for u in self.not_visible],
                "ambiguous": self.ambiguous}


def person(user: User) -> dict[str, str]:
    return {"user_id": user.id, "name": user.name}


def principal_of(user: User) -> Principal:
    """A person as the access policy sees them when they sign in."""
    return Principal(key_id="", org_id=user.org_id, role=user.role, user_id=user.id, team_id=user.team_id,
                     via_session=True)


def sees_call(user: User, call: Call, shared: frozenset[str]) -> bool:
    """Whether this person may see the call: their role, team and shares (`may_see_call`, the rule of
    `call_condition` on rows in memory); a disabled person sees nothing. `shared`: the ids of the
    people the call is shared with (`shared_with`). The one rule of who sees a call here: mentions,
    shares and the call page's pickers all ask it."""
    if user.disabled:
        return False
    return may_see_call(principal_of(user), CallOwner(call.org_id, call.team_id, call.rep_user_id, shared))


def shared_with(session: Session, call_id: str) -> frozenset[str]:
    """The ids of the people a call is shared with (`CallShare`)."""
    return frozenset(session.exec(select(col(CallShare.user_id)).where(col(CallShare.call_id) == call_id)))


def may_see(session: Session, user: User, call_id: str) -> bool:
    """Whether this person may see the call (`sees_call`)."""
    call = session.get(Call, call_id)
    return call is not None and sees_call(user, call, shared_with(session, call_id))


def _own_names(user: User) -> list[str]:
    """What a person is mentioned by: their display name, then their e-mail's local part."""
    names = [user.name]
    if user.email and "@" in user.email:
        names.append(user.email.split("@", 1)[0])
    return names


def _mention_index(people: list[User]) -> dict[str, dict[str, User]]:
    """mention key -> the people it names (more than one: the key is ambiguous)."""
    by_key: dict[str, dict[str, User]] = {}
    for user in people:
        for name in _own_names(user):
            key = mention_key(name)
            if key:
                by_key.setdefault(key, {})[user.id] = user
    return by_key


def mention_handle(user: User, index: dict[str, dict[str, User]]) -> str | None:
    """The text to write after "@" to name this person and nobody else (`resolve_mentions` reads it
    so): their display name without its spaces ("CoraCoach"), else their e-mail's local part; None
    when neither does (a name with characters a mention cannot hold, shared with someone else)."""
    for name in _own_names(user):
        handle = "".join(name.split())
        if _TOKEN.fullmatch(handle) and set(index.get(mention_key(handle), {})) == {user.id}:
            return handle
    return None


def org_people(session: Session, org_id: str) -> list[User]:
    """The enabled people of an organization, by name: those a mention can name."""
    return list(session.exec(select(User).where(col(User.org_id) == org_id, col(User.disabled).is_(False))
                             .order_by(col(User.name), col(User.id))))


def _who(user: User, teams: dict[str, str]) -> str:
    team = teams.get(user.team_id or "")
    return f"{user.role} · {team}" if team else user.role


def mention_choices(session: Session, people: list[User], me: str | None, call: Call, shared: frozenset[str],
                    limit: int = MAX_PEOPLE) -> list[dict[str, Any]]:
    """The people the comment box offers after "@" (the call page's autocompletion): each one's name,
    role and team, the handle that names them alone, and whether they may see the call (one who may
    not is not notified); the writer and the people no handle names are left out."""
    index = _mention_index(people)
    teams = _team_names(session, {u.team_id for u in people if u.team_id})
    out: list[dict[str, Any]] = []
    for user in people:
        handle = mention_handle(user, index) if user.id != me else None
        if handle is not None:
            out.append({"name": user.name, "handle": handle, "who": _who(user, teams),
                        "sees": sees_call(user, call, shared)})
            if len(out) >= limit:
                break
    return out


def share_choices(session: Session, people: list[User], call: Call, shared: frozenset[str],
                  limit: int = MAX_PEOPLE) -> tuple[list[dict[str, str]], int]:
    """The people of the organization who cannot see the call (`sees_call`), by name: the first
    `limit` of them, and how many there are."""
    unseen = [u for u in people if u.org_id == call.org_id and not sees_call(u, call, shared)]
    teams = _team_names(session, {u.team_id for u in unseen[:limit] if u.team_id})
    return [{**person(u), "who": _who(u, teams)} for u in unseen[:limit]], len(unseen)


def _team_names(session: Session, ids: set[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {t.id: t.name for t in session.exec(select(Team).where(col(Team.id).in_(wanted)))}


def resolve_mentions(session: Session, org_id: str, text: str, call_id: str, author_id: str | None,
                     skip: set[str] | frozenset[str] = frozenset()) -> Mentions:
    """The people a comment's text names (see the module's rule), split by whether they may see the
    call; the author and the people in `skip` (already notified) are left out."""
    keys = mention_keys(text)
    found = Mentions()
    if not keys:
        return found
    by_key = _mention_index(org_people(session, org_id))
    chosen: dict[str, User] = {}
    for key in keys:
        matches = by_key.get(key, {})
        if len(matches) > 1:
            found.ambiguous.append(key)
        elif matches:
            user = next(iter(matches.values()))
            if user.id != author_id and user.id not in skip:
                chosen.setdefault(user.id, user)
    for user in chosen.values():
        (found.notified if may_see(session, user, call_id) else found.not_visible).append(user)
    return found
