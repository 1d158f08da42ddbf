"""The access policy: one module answers "may principal P see or change row R".

Every surface asks here (the JSON API's dependencies, the raw-SQL suggestions read, the live
events check, the web pages), so a rule is written once:

- **Who sees which calls.** Admin and integration principals: their organization's. A coach: their
  team's (a coach without a team: only calls where they are the rep). A rep: their own. Another
  organization's call, or one outside the scope, is answered exactly like a call that does not
  exist (404), so ids reveal nothing. **A share** (`CallShare`, one row per call and person, made
  by an admin or a coach of the call's scope: `may_share_call`) adds one call to one person's scope,
  in all three forms below, so every call route honours it.
- **Who may do what** (`PERMISSIONS`, checked by `require`): an action is allowed to a set of
  roles, and only on rows the principal can already see.
- **Deleting a call** (`may_delete_call`): an admin, any call they see; the person (or key of no
  person) who uploaded it, within `TALKTRACK_DELETE_GRACE_H` hours of the upload, never after;
  nobody else (403). The API, the call page's button and its form all ask this one rule.
- **A key never exceeds its person** (`key_role_for`): a key bound to a user acts with the smaller
  of its own role and the user's current role, and with the user's current team.
- **Clips and playlists** (the block at the end, `clip_condition`, `playlist_condition`): a clip is
  seen with its call, and by the audience of a playlist it is in (its span only, never the call).
- **Names follow the same scope** (`person_condition`): lists of people (the library's filter bar,
  the trends pages) name only those whose calls the principal may see.

The rule comes in three forms that must agree (tests check they do): an ORM condition
(`call_condition`), prebuilt SQL for hot paths (`call_sql`), and an in-memory check on a row's
owner fields (`may_see_call`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, TextClause, and_, false, or_, select, text
from sqlmodel import col

from models import Call, CallShare, User
from service.core.errors import Forbidden
from service.core.i18n import N_, NN_

Scope = Literal["org", "team", "user", "none"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: an API key or a signed-in person (`key_id` is then the browser session's id),
    with their organization, role and (for people) user and team."""

    key_id: str
    org_id: str
    role: str
    user_id: str | None = None
    team_id: str | None = None
    rate_limit_per_minute: int | None = None
    via_session: bool = False  # a signed-in browser, not an API key


@dataclass(frozen=True, slots=True)
class CallOwner:
    """The fields of a call that decide who may see it (a stored call or a live one)."""

    org_id: str
    team_id: str | None
    rep_user_id: str | None
    shared_with: frozenset[str] = frozenset()  # people the call is shared with (`CallShare`), where known


# Each action and the roles that may perform it (on rows they can see).
PERMISSIONS: dict[str, frozenset[str]] = {
    "call.upload": frozenset({"admin", "coach", "rep", "integration"}),
    "call.delete": frozenset({"admin", "coach", "rep"}),  # a coach, a rep: only as `may_delete_call` says
    "call.relabel": frozenset({"admin", "coach", "rep"}),
    "outcome.write": frozenset({"admin", "coach", "rep", "integration"}),  # a rep: own calls only
    "outcome.read": frozenset({"admin", "coach", "integration"}),
    "scorecard.write": frozenset({"admin", "coach"}),
    "rubric.write": frozenset({"admin", "coach"}),
    "insights.read": frozenset({"admin", "coach", "integration"}),
    "definitions.write": frozenset({"admin"}),
    "webhooks.manage": frozenset({"admin", "integration"}),
    "org.manage": frozenset({"admin"}),  # users, teams, API keys
    "retention.manage": frozenset({"admin"}),  # the organization's retention policy
    "data.forget": frozenset({"admin"}),  # delete a call, a deal or everything about a person, with a tombstone
    "audit.read": frozenset({"admin"}),  # the audit trail and the tombstones, and their exports
    "call.comment": frozenset({"admin", "coach", "rep"}),  # comment on a call one sees; edit/delete one's own
    "comment.moderate": frozenset({"admin"}),  # delete anyone's comment on a call one sees
    "call.share": frozenset({"admin", "coach"}),  # share a call of one's own scope with a person (`may_share_call`)
    "notifications.read": frozenset({"admin", "coach", "rep", "integration"}),  # one's own notifications
}


def allowed(principal: Principal, action: str) -> bool:
    """Whether the principal's role may perform `action` (a key of `PERMISSIONS`)."""
    return principal.role in PERMISSIONS[action]


def roles_for(action: str) -> tuple[str, ...]:
    return tuple(sorted(PERMISSIONS[action]))


def require(principal: Principal, action: str) -> None:
    """Forbidden (403) unless the principal's role may perform `action`: the one check every
    surface makes (API dependencies, domain functions, pages)."""
    if not allowed(principal, action):
        raise Forbidden(N_("a %(role)s cannot do this (needs %(roles)s)", role=principal.role,
                           roles=" or ".join(roles_for(action))))


def uploader_of(principal: Principal) -> str:
    """Who a call's upload is recorded as (`Call.uploaded_by_key_id`): a signed-in person by their
    user id (a browser session ends long before the delete grace period does), an API key by its id
    (a key bound to a person leads to them, `ApiKey.user_id`)."""
    return principal.user_id if principal.via_session and principal.user_id else principal.key_id


def may_delete_call(principal: Principal, uploader: str | None, uploaded_at: datetime, now: datetime,
                    grace_h: float) -> bool:
    """Whether the principal may delete a call it sees: an admin, always; whoever uploaded it
    (`uploader`: the person's user id, or the id of a key of no person) within `grace_h` hours of
    `uploaded_at`, never after; nobody else. `call.delete` names the roles that may ever delete."""
    if not allowed(principal, "call.delete"):
        return False
    if principal.role == "admin":
        return True
    mine = uploader is not None and uploader in (principal.user_id, principal.key_id)
    return mine and now - uploaded_at < timedelta(hours=grace_h)


def require_delete_call(principal: Principal, uploader: str | None, uploaded_at: datetime, now: datetime,
                        grace_h: float) -> None:
    """Forbidden (403), with the reason, unless `may_delete_call`."""
    require(principal, "call.delete")
    if may_delete_call(principal, uploader, uploaded_at, now, grace_h):
        return
    hours = f"{grace_h:g}"
    if uploader is not None and uploader in (principal.user_id, principal.key_id):
        raise Forbidden(NN_("the %(hours)s hour in which the person who uploaded a call may delete it have "
                            "passed: ask an admin",
                            "the %(hours)s hours in which the person who uploaded a call may delete it have "
                            "passed: ask an admin", grace_h, hours=hours))
    raise Forbidden(NN_("only an admin, or the person who uploaded the call within %(hours)s hour of the upload, "
                        "may delete it",
                        "only an admin, or the person who uploaded the call within %(hours)s hours of the upload, "
                        "may delete it", grace_h, hours=hours))


# How far a person's role reaches. An integration key reaches as far as an admin but does less.
ROLE_REACH: dict[str, int] = {"rep": 0, "coach": 1, "admin": 2}


def key_role_for(key_role: str, person_role: str) -> str | None:
    """The role a key bound to a person acts with: the smaller of the key's role and the person's
    current one (a coach key of a rep acts as a rep). An integration key does things no person's
    role below admin may do, so it acts only for an admin; for anyone else it is refused (None)."""
    if person_role not in ROLE_REACH:
        return None
    if key_role == "integration":
        return key_role if person_role == "admin" else None
    if key_role not in ROLE_REACH:
        return None
    return key_role if ROLE_REACH[key_role] <= ROLE_REACH[person_role] else person_role


def call_scope_of(principal: Principal) -> Scope:
    """Which calls of the organization the principal sees: all, a team's, one user's, none."""
    if principal.role in ("admin", "integration"):
        return "org"
    if principal.role == "coach" and principal.team_id is not None:
        return "team"
    if principal.role in ("coach", "rep") and principal.user_id is not None:
        return "user"
    return "none"


def call_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the calls this principal may see."""
    in_org = col(Call.org_id) == principal.org_id
    scope = call_scope_of(principal)
    if scope == "org":
        return in_org
    if scope == "team":
        return and_(in_org, _or_shared(principal, col(Call.team_id) == principal.team_id))
    if scope == "user":
        return and_(in_org, _or_shared(principal, col(Call.rep_user_id) == principal.user_id))
    return false()


def _or_shared(principal: Principal, in_scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """`in_scope`, or a call shared with the principal's person (`CallShare`)."""
    if principal.user_id is None:
        return in_scope
    shared = select(col(CallShare.call_id)).where(col(CallShare.user_id) == principal.user_id)
    return or_(in_scope, col(Call.id).in_(shared))


def may_see_call(principal: Principal, owner: CallOwner) -> bool:
    """The same rule as `call_condition`, on a row already in memory (live calls, pages)."""
    if principal.org_id != owner.org_id:
        return False
    scope = call_scope_of(principal)
    if scope == "org":
        return True
    if principal.user_id is not None and principal.user_id in owner.shared_with:
        return True
    if scope == "team":
        return owner.team_id == principal.team_id
    if scope == "user":
        return owner.rep_user_id == principal.user_id
    return False


def may_share_call(principal: Principal, owner: CallOwner) -> bool:
    """Whether the principal may share a call it sees with someone, or stop sharing it: an admin, or
    a coach whose own scope holds the call (a share never passes a call on further: `owner` must
    not carry `shared_with` here)."""
    return allowed(principal, "call.share") and may_see_call(principal, CallOwner(owner.org_id, owner.team_id,
                                                                                      owner.rep_user_id))


def may_see_rep(principal: Principal, org_id: str, team_id: str | None, user_id: str) -> bool:
    """Whether the principal may look at a person's own pages (their trends): the same rule as
    `may_see_call`, with the person as the calls' rep. A rep: only themselves; a coach: their
    team's people; an admin: anyone in the organization."""
    return may_see_call(principal, CallOwner(org_id, team_id, user_id))


def person_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the people whose names the principal may see: the rule of
    `may_see_rep` (an admin: the organization; a coach: their team; a coach without a team or a
    rep: themselves)."""
    in_org = col(User.org_id) == principal.org_id
    scope = call_scope_of(principal)
    if scope == "org":
        return in_org
    if scope == "team":
        return and_(in_org, col(User.team_id) == principal.team_id)
    if scope == "user":
        return and_(in_org, col(User.id) == principal.user_id)
    return false()


_SHARED_SQL = '"call".id IN (SELECT callshare.call_id FROM callshare WHERE callshare.user_id = :user_id)'
_CALL_SQL: dict[Scope, str] = {
    "org": '"call".org_id = :org_id',
    "team": f'"call".org_id = :org_id AND ("call".team_id = :team_id OR {_SHARED_SQL})',
    "user": f'"call".org_id = :org_id AND ("call".rep_user_id = :user_id OR {_SHARED_SQL})',
    "none": "1 = 0",
}


def call_sql(principal: Principal) -> tuple[str, dict[str, str]]:
    """The same rule as raw SQL over a table aliased `"call"`: (condition, its bound parameters)."""
    scope = call_scope_of(principal)
    params: dict[str, str] = {"org_id": principal.org_id}
    if scope == "team" and principal.team_id is not None:
        params["team_id"] = principal.team_id
    if scope in ("team", "user"):
        params["user_id"] = principal.user_id or ""  # no person: no share matches (ids are hex)
    return _CALL_SQL[scope], params


def prebuilt(sql_before_condition: str) -> dict[Scope, TextClause]:
    """Prebuilt statements, one per scope, for a hot path: `sql ... WHERE <other> AND <scope>`."""
    return {scope: text(f"{sql_before_condition} AND {cond}") for scope, cond in _CALL_SQL.items()}



# --- Clips and playlists (the coaching library) ---------------------------------------------------
#
# One rule, beside the call scope it extends:
# - A clip is made by a role of `clip.write` (admin, coach, rep; not an integration key) on a call the
#   principal sees; a rep only on a call where they are the rep (`may_clip_call`).
# - A clip is seen by whoever sees its call, and by the audience of every playlist it is in
#   (`clip_condition`); seeing a clip that way opens its span only (its page, its audio cut to the
#   span, the words of the span), never the call.
# - A playlist is seen by its organization's admins and integration keys, its creator, and its
#   audience: `team` is the creator's team (`Playlist.team_id`), `organization` everyone in it
#   (`playlist_condition`, `may_see_playlist`). Only an admin or a coach makes an organization-wide
#   playlist (`playlist.organization`); anyone of `playlist.write` makes one for their team.
# - A clip is changed or deleted by its creator, or by an admin or coach who sees its call
#   (`may_change_clip`); a playlist by its creator, an admin, or (a team playlist) a coach of that
#   team (`may_change_playlist`). A clip goes into a playlist only if the principal sees the clip's
#   call (`may_clip_call`'s visibility, not a playlist's): a span cannot be passed on to a wider
#   audience by someone it was only shown to.
# - What the principal cannot see answers 404; what it sees but may not change, 403.
PERMISSIONS.update({
    "clip.write": frozenset({"admin", "coach", "rep"}),  # make, change, delete clips (see the rule above)
    "playlist.write": frozenset({"admin", "coach", "rep"}),  # make playlists for one's team, change own
    "playlist.organization": frozenset({"admin", "coach"}),  # a playlist for the whole organization
})


@dataclass(frozen=True, slots=True)
class CreatedBy:
    """Who made a clip or a playlist: a person, or a key of no person."""

    user_id: str | None
    key_id: str | None

    def is_(self, principal: Principal) -> bool:
        if self.user_id is not None:
            return self.user_id == principal.user_id
        return self.key_id is not None and self.key_id == principal.key_id


def creator_of(principal: Principal) -> CreatedBy:
    """How a new clip or playlist records its creator: the person, else the key."""
    return CreatedBy(principal.user_id, None if principal.user_id else principal.key_id)


def may_clip_call(principal: Principal, owner: CallOwner) -> bool:
    """Whether the principal may make a clip of a call it sees (the caller found the call with
    `call_condition`), or put one of its clips in a playlist: a rep, only of a call they are the rep of."""
    if not allowed(principal, "clip.write") or principal.org_id != owner.org_id:
        return False
    return principal.role != "rep" or owner.rep_user_id == principal.user_id


def may_change_clip(principal: Principal, call: CallOwner, made_by: CreatedBy) -> bool:
    """Change or delete a clip: its creator, or an admin or coach who sees its call."""
    if not allowed(principal, "clip.write") or principal.org_id != call.org_id:
        return False
    return made_by.is_(principal) or (principal.role in ("admin", "coach") and may_see_call(principal, call))


@dataclass(frozen=True, slots=True)
class PlaylistOwner:
    org_id: str
    team_id: str | None
    audience: str  # "team" | "organization"
    made_by: CreatedBy


def may_see_playlist(principal: Principal, owner: PlaylistOwner) -> bool:
    """The same rule as `playlist_condition`, on a playlist already in memory."""
    if principal.org_id != owner.org_id:
        return False
    if call_scope_of(principal) == "org" or owner.audience == "organization" or owner.made_by.is_(principal):
        return True
    return owner.team_id is not None and owner.team_id == principal.team_id


def may_change_playlist(principal: Principal, owner: PlaylistOwner) -> bool:
    """Change, fill or delete a playlist: its creator, an admin, or a coach of its team."""
    if not allowed(principal, "playlist.write") or principal.org_id != owner.org_id:
        return False
    if principal.role == "admin" or owner.made_by.is_(principal):
        return True
    return (principal.role == "coach" and owner.audience == "team" and owner.team_id is not None
            and owner.team_id == principal.team_id)


def playlist_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the playlists this principal may see (`may_see_playlist`)."""
    from sqlalchemy import or_

    from models.clips import Playlist

    in_org = col(Playlist.org_id) == principal.org_id
    if call_scope_of(principal) == "org":
        return in_org
    mine = (col(Playlist.created_by_user_id) == principal.user_id if principal.user_id is not None
            else and_(col(Playlist.created_by_user_id).is_(None), col(Playlist.created_by_key_id) == principal.key_id))
    audience = [col(Playlist.audience) == "organization", mine]
    if principal.team_id is not None:
        audience.append(col(Playlist.team_id) == principal.team_id)
    return and_(in_org, or_(*audience))


def clip_condition(principal: Principal) -> ColumnElement[bool]:
    """SQL (ORM) condition selecting the clips this principal may see: those of calls it sees
    (`call_condition`) and those in playlists it sees (`playlist_condition`)."""
    from sqlalchemy import or_, select

    from models.clips import Clip, Playlist, PlaylistClip

    by_call = col(Clip.call_id).in_(select(col(Call.id)).where(call_condition(principal)))
    by_playlist = col(Clip.id).in_(
        select(col(PlaylistClip.clip_id)).join(Playlist, col(Playlist.id) == col(PlaylistClip.playlist_id))
        .where(playlist_condition(principal)))
    return and_(col(Clip.org_id) == principal.org_id, or_(by_call, by_playlist))
