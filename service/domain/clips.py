"""The coaching library: clips (a titled span of a call) and playlists (ordered clips for the
creator's team or the whole organization), for every surface (`/v1/clips`, `/v1/playlists`, the
clip and playlist pages). Who may see and change what is `service.core.access` ("Clips and
playlists"); here are the checks in the order the API promises (the role, then 404 for what the
principal cannot see, then 403 for what it sees but may not change, then the fields: 422).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Call, Clip, Playlist, PlaylistClip
from models.base import utcnow
from service.core.access import (
    CallOwner,
    CreatedBy,
    PlaylistOwner,
    Principal,
    allowed,
    call_condition,
    clip_condition,
    creator_of,
    may_change_clip,
    may_change_playlist,
    may_clip_call,
    playlist_condition,
    require,
)
from service.core.errors import Conflict, Forbidden, Invalid, NotFound
from service.core.i18n import N_
from service.domain import people
from service.domain.calls import analysis_if_done, visible_call

MAX_CLIP_S = 15 * 60.0  # a clip is a moment to learn from, not a copy of the call
TITLE_MAX = 300
NOTE_MAX = 5000
MAX_PLAYLIST_CLIPS = 200
_EDGE_S = 0.5  # a span may end this much past the call's duration (rounding of players and decoders)


# --- Clips ----------------------------------------------------------------------------------------

def call_owner_of(call: Call) -> CallOwner:
    return CallOwner(call.org_id, call.team_id, call.rep_user_id)


def made_by(row: Clip | Playlist) -> CreatedBy:
    return CreatedBy(row.created_by_user_id, row.created_by_key_id)


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid(N_("the title is empty: give the clip a title"))
    if len(title) > TITLE_MAX:
        raise Invalid(N_("the title is %(n)s characters long; at most %(max)s", n=len(title), max=TITLE_MAX))
    return title


def check_span(call: Call, start_s: float, end_s: float) -> tuple[float, float]:
    """The span rounded to 1/100 s, or `Invalid` (422) saying what is wrong with it."""
    if not (math.isfinite(start_s) and math.isfinite(end_s)):
        raise Invalid(N_("start_s and end_s must be numbers of seconds"))
    if call.duration_s is None or call.status != "done":
        raise Conflict(N_("the call is not analysed yet (status: %(status)s): clip it once it is done",
                          status=call.status))
    start, end = round(start_s, 2), round(end_s, 2)
    if start < 0:
        raise Invalid(N_("the clip starts before the call does (start_s %(start)g < 0)", start=start))
    if end <= start:
        raise Invalid(N_("the clip must end after it starts (end_s %(end)g <= start_s %(start)g)", end=end,
                         start=start))
    if end - start > MAX_CLIP_S:
        raise Invalid(N_("the clip is %(length)g s long; a clip is at most %(max)g s (15 minutes)", length=end - start,
                         max=MAX_CLIP_S))
    if end > call.duration_s + _EDGE_S:
        raise Invalid(N_("the clip ends after the call does (end_s %(end)g > the call's %(duration)g s)", end=end,
                         duration=call.duration_s))
    return start, min(end, round(call.duration_s, 2))


def create_clip(session: Session, principal: Principal, call_id: str, start_s: float, end_s: float,
                title: str, note: str | None) -> Clip:
    require(principal, "clip.write")
    call = visible_call(session, principal, call_id)
    if not may_clip_call(principal, call_owner_of(call)):
        raise Forbidden(N_("a rep may clip only their own calls"))
    start, end = check_span(call, start_s, end_s)
    who = creator_of(principal)
    clip = Clip(org_id=call.org_id, call_id=call.id, start_s=start, end_s=end, title=check_title(title),
                note=(note or "").strip()[:NOTE_MAX] or None, created_by_user_id=who.user_id,
                created_by_key_id=who.key_id)
    session.add(clip)
    session.commit()
    return clip


def visible_clip(session: Session, principal: Principal, clip_id: str) -> Clip:
    """The clip if the principal may see it (by its call or by a playlist); NotFound otherwise."""
    clip = session.exec(select(Clip).where(col(Clip.id) == clip_id, clip_condition(principal))).first()
    if clip is None:
        raise NotFound(N_("clip not found"))
    return clip


def clip_call(session: Session, clip: Clip) -> Call:
    call = session.get(Call, clip.call_id)
    if call is None:  # deleted with its call in the same transaction as the clip
        raise NotFound(N_("clip not found"))
    return call


def _changeable_clip(session: Session, principal: Principal, clip_id: str) -> tuple[Clip, Call]:
    require(principal, "clip.write")
    clip = visible_clip(session, principal, clip_id)
    call = clip_call(session, clip)
    if not may_change_clip(principal, call_owner_of(call), made_by(clip)):
        raise Forbidden(N_("only the clip's creator, or an admin or coach who sees its call, may change it"))
    return clip, call


def update_clip(session: Session, principal: Principal, clip_id: str, *, title: str | None = None,
                note: str | None = None, start_s: float | None = None, end_s: float | None = None,
                clear_note: bool = False) -> Clip:
    clip, call = _changeable_clip(session, principal, clip_id)
    if title is not None:
        clip.title = check_title(title)
    if note is not None or clear_note:
        clip.note = (note or "").strip()[:NOTE_MAX] or None
    if start_s is not None or end_s is not None:
        clip.start_s, clip.end_s = check_span(call, clip.start_s if start_s is None else start_s,
                                              clip.end_s if end_s is None else end_s)
    clip.updated_at = utcnow()
    session.add(clip)
    session.commit()
    return clip


def delete_clip(session: Session, principal: Principal, clip_id: str) -> None:
    clip, _ = _changeable_clip(session, principal, clip_id)
    for entry in session.exec(select(PlaylistClip).where(col(PlaylistClip.clip_id) == clip.id)).all():
        session.delete(entry)
    session.delete(clip)
    session.commit()


@dataclass
class ClipPage:
    items: list[Clip]
    total: int


def list_clips(session: Session, principal: Principal, call_id: str | None = None, limit: int = 50,
               offset: int = 0) -> ClipPage:
    """The clips the principal sees, newest first (of one call with `call_id`)."""
    where = [clip_condition(principal)]
    if call_id is not None:
        where.append(col(Clip.call_id) == call_id)
    total = session.exec(select(func.count()).select_from(Clip).where(*where)).one()
    items = session.exec(select(Clip).where(*where).order_by(col(Clip.created_at).desc(), col(Clip.id))
                         .offset(offset).limit(limit)).all()
    return ClipPage(list(items), int(total))


def calls_seen(session: Session, principal: Principal, call_ids: set[str]) -> set[str]:
    """Which of these calls the principal may open (a clip seen through a playlist opens only its span)."""
    if not call_ids:
        return set()
    return set(session.exec(select(Call.id).where(col(Call.id).in_(call_ids), call_condition(principal))).all())


def clip_dicts(session: Session, principal: Principal, clips: list[Clip]) -> list[dict[str, Any]]:
    """The clips as the API returns them, with whether the principal may open their call and change them."""
    open_calls = calls_seen(session, principal, {c.call_id for c in clips})
    calls = {c.id: c for c in session.exec(select(Call).where(col(Call.id).in_({c.call_id for c in clips}))).all()}
    names = people.author_names(session, principal.org_id,
                                [c.created_by_user_id or c.created_by_key_id for c in clips])
    out = []
    for c in clips:
        call = calls.get(c.call_id)
        out.append({
            "id": c.id, "call_id": c.call_id, "start_s": c.start_s, "end_s": c.end_s,
            "duration_s": round(c.end_s - c.start_s, 2), "title": c.title, "note": c.note,
            "created_by": c.created_by_user_id or c.created_by_key_id,
            "created_by_name": names.get(c.created_by_user_id or c.created_by_key_id or ""),
            "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat(),
            "call_visible": c.call_id in open_calls,
            "can_edit": call is not None and may_change_clip(principal, call_owner_of(call), made_by(c)),
        })
    return out


def clip_dict(session: Session, principal: Principal, clip: Clip) -> dict[str, Any]:
    return clip_dicts(session, principal, [clip])[0]


@dataclass
class _SpanTurn:
    speaker: str
    name: str
    role: str
    start: float
    end: float
    words: list[tuple[float, str]]
    text: str


def span_turns(session: Session, clip: Clip, call: Call) -> list[dict[str, Any]]:
    """The words of the clip's span, by turn: [{speaker, name, role, start, words: [(t, word)], text}]
    (call time). Empty while the call has no analysis (or after the retention policy removed it)."""
    analysis = analysis_if_done(session, call)
    if analysis is None:
        return []
    names: dict[str, tuple[str, str]] = {}
    for sp in analysis.get("speakers") or []:
        role = str(sp.get("role") or "unknown")
        names[str(sp.get("id"))] = (str(sp.get("name") or {"rep": "Rep", "customer": "Customer"}.get(role, sp.get("id"))),
                                    role)
    turns = []
    for t in analysis.get("turns") or []:
        start, end = float(t.get("start") or 0.0), float(t.get("end") or 0.0)
        if end <= clip.start_s or start >= clip.end_s:
            continue
        spk = str(t.get("speaker"))
        name, role = names.get(spk, (spk, "unknown"))
        turns.append(_SpanTurn(spk, name, role, max(start, clip.start_s), end, [], str(t.get("text") or "")))
    for w in analysis.get("words") or []:
        t0 = float(w.get("start") or 0.0)
        if not clip.start_s <= t0 < clip.end_s:
            continue
        spk = str(w.get("speaker"))
        holder = None
        for turn in turns:
            if turn.speaker == spk and turn.start - 1e-6 <= t0 <= turn.end + 1e-6:
                holder = turn
                break
        if holder is not None:
            holder.words.append((t0, str(w.get("word", ""))))
    if analysis.get("words"):
        turns = [t for t in turns if t.words]
        for t in turns:
            t.start = t.words[0][0]
            t.text = " ".join(word for _, word in t.words)
    return [asdict(t) for t in turns]


# --- Playlists ------------------------------------------------------------------------------------

def playlist_owner(p: Playlist) -> PlaylistOwner:
    return PlaylistOwner(p.org_id, p.team_id, p.audience, made_by(p))


def _audience(principal: Principal, audience: str, team_id: str | None) -> str | None:
    """The team a playlist of `audience` is for (None: the organization), or why it cannot be."""
    if audience not in ("team", "organization"):
        raise Invalid(N_("audience is team or organization"))
    if audience == "organization":
        if not allowed(principal, "playlist.organization"):
            raise Forbidden(N_("only an admin or a coach may make a playlist for the whole organization; "
                               "choose the audience team"))
        return None
    team = team_id or principal.team_id
    if team is None:
        raise Invalid(N_("you are in no team, so a team playlist has no audience: choose the audience organization"))
    return team


def create_playlist(session: Session, principal: Principal, title: str, description: str | None,
                    audience: str) -> Playlist:
    require(principal, "playlist.write")
    team_id = _audience(principal, audience, None)
    who = creator_of(principal)
    playlist = Playlist(org_id=principal.org_id, team_id=team_id, audience=audience, title=check_title(title),
                        description=(description or "").strip()[:NOTE_MAX] or None,
                        created_by_user_id=who.user_id, created_by_key_id=who.key_id)
    session.add(playlist)
    session.commit()
    return playlist


def visible_playlist(session: Session, principal: Principal, playlist_id: str) -> Playlist:
    found = session.exec(select(Playlist).where(col(Playlist.id) == playlist_id,
                                                playlist_condition(principal))).first()
    if found is None:
        raise NotFound(N_("playlist not found"))
    return found


def _changeable_playlist(session: Session, principal: Principal, playlist_id: str) -> Playlist:
    require(principal, "playlist.write")
    playlist = visible_playlist(session, principal, playlist_id)
    if not may_change_playlist(principal, playlist_owner(playlist)):
        raise Forbidden(N_("only the playlist's creator, an admin, or a coach of its team may change it"))
    return playlist


def playlist_clips(session: Session, playlist_id: str) -> list[Clip]:
    rows = session.exec(select(Clip).join(PlaylistClip, col(PlaylistClip.clip_id) == col(Clip.id))
                        .where(col(PlaylistClip.playlist_id) == playlist_id)
                        .order_by(col(PlaylistClip.position), col(PlaylistClip.added_at))).all()
    return list(rows)


def update_playlist(session: Session, principal: Principal, playlist_id: str, *, title: str | None = None,
                    description: str | None = None, audience: str | None = None,
                    clip_ids: list[str] | None = None) -> Playlist:
    """Change a playlist's fields; `clip_ids` puts its clips in that order (all of them, once each)."""
    playlist = _changeable_playlist(session, principal, playlist_id)
    if title is not None:
        playlist.title = check_title(title)
    if description is not None:
        playlist.description = description.strip()[:NOTE_MAX] or None
    if audience is not None and audience != playlist.audience:
        playlist.team_id = _audience(principal, audience, playlist.team_id)
        playlist.audience = audience
    if clip_ids is not None:
        entries = {e.clip_id: e for e in session.exec(select(PlaylistClip)
                                                      .where(col(PlaylistClip.playlist_id) == playlist.id)).all()}
        if sorted(clip_ids) != sorted(entries):
            raise Invalid(N_("clip_ids must list every clip of the playlist once, in the new order"))
        for position, clip_id in enumerate(clip_ids):
            entries[clip_id].position = position
            session.add(entries[clip_id])
    playlist.updated_at = utcnow()
    session.add(playlist)
    session.commit()
    return playlist


def move_clip(session: Session, principal: Principal, playlist_id: str, clip_id: str, step: int) -> Playlist:
    """Move one clip of a playlist a place earlier (`step` -1) or later (+1): the whole new order
    goes through `update_playlist`, as the API's reordering does. At either end it stays put."""
    playlist = _changeable_playlist(session, principal, playlist_id)  # who may, before what is asked
    if step not in (-1, 1):
        raise Invalid(N_("move a clip up or down"))
    order = [c.id for c in playlist_clips(session, playlist.id)]
    if clip_id not in order:
        raise NotFound(N_("that clip is not in this playlist"))
    i = order.index(clip_id)
    j = min(len(order) - 1, max(0, i + step))
    order[i], order[j] = order[j], order[i]
    return update_playlist(session, principal, playlist.id, clip_ids=order)


def delete_playlist(session: Session, principal: Principal, playlist_id: str) -> None:
    playlist = _changeable_playlist(session, principal, playlist_id)
    for entry in session.exec(select(PlaylistClip).where(col(PlaylistClip.playlist_id) == playlist.id)).all():
        session.delete(entry)
    session.delete(playlist)
    session.commit()


def add_clip(session: Session, principal: Principal, playlist_id: str, clip_id: str) -> Playlist:
    """Put a clip at the end of a playlist. The principal must see the clip's call itself: a span
    seen only through a playlist is not passed on to another audience."""
    playlist = _changeable_playlist(session, principal, playlist_id)
    clip = session.exec(select(Clip).where(col(Clip.id) == clip_id, col(Clip.org_id) == principal.org_id)).first()
    call = session.exec(select(Call).where(col(Call.id) == clip.call_id, call_condition(principal))).first() \
        if clip is not None else None
    if clip is None or call is None:
        raise NotFound(N_("clip not found (a clip goes into a playlist from a call you may open)"))
    if not may_clip_call(principal, call_owner_of(call)):
        raise Forbidden(N_("a rep may add only clips of their own calls"))
    entries = session.exec(select(PlaylistClip).where(col(PlaylistClip.playlist_id) == playlist.id)).all()
    if any(e.clip_id == clip.id for e in entries):
        raise Conflict(N_("the clip is already in this playlist"))
    if len(entries) >= MAX_PLAYLIST_CLIPS:
        raise Invalid(N_("a playlist holds at most %(max)s clips", max=MAX_PLAYLIST_CLIPS))
    position = max((e.position for e in entries), default=-1) + 1
    session.add(PlaylistClip(playlist_id=playlist.id, clip_id=clip.id, position=position))
    playlist.updated_at = utcnow()
    session.add(playlist)
    try:
        session.commit()
    except IntegrityError as exc:  # the same clip added at the same moment
        session.rollback()
        raise Conflict(N_("the clip is already in this playlist")) from exc
    return playlist


def remove_clip(session: Session, principal: Principal, playlist_id: str, clip_id: str) -> None:
    playlist = _changeable_playlist(session, principal, playlist_id)
    entry = session.exec(select(PlaylistClip).where(col(PlaylistClip.playlist_id) == playlist.id,
                                                    col(PlaylistClip.clip_id) == clip_id)).first()
    if entry is None:
        raise NotFound(N_("that clip is not in this playlist"))
    session.delete(entry)
    playlist.updated_at = utcnow()
    session.add(playlist)
    session.commit()


def list_playlists(session: Session, principal: Principal, limit: int = 100, offset: int = 0) -> list[Playlist]:
    """The playlists the principal sees, most recently changed first."""
    return list(session.exec(select(Playlist).where(playlist_condition(principal))
                             .order_by(col(Playlist.updated_at).desc(), col(Playlist.id))
                             .offset(offset).limit(limit)).all())


def changeable_playlists(session: Session, principal: Principal) -> list[Playlist]:
    """The playlists a clip may be added to by this principal (the clip page's "Add to playlist")."""
    if not allowed(principal, "playlist.write"):
        return []
    return [p for p in list_playlists(session, principal, limit=500) if may_change_playlist(principal, playlist_owner(p))]


def playlist_dicts(session: Session, principal: Principal, playlists: list[Playlist],
                   with_clips: bool = True) -> list[dict[str, Any]]:
    names = people.author_names(session, principal.org_id,
                                [p.created_by_user_id or p.created_by_key_id for p in playlists])
    out = []
    for p in playlists:
        clips = playlist_clips(session, p.id)
        item: dict[str, Any] = {
            "id": p.id, "title": p.title, "description": p.description, "audience": p.audience,
            "team_id": p.team_id, "created_by": p.created_by_user_id or p.created_by_key_id,
            "created_by_name": names.get(p.created_by_user_id or p.created_by_key_id or ""),
            "created_at": p.created_at.isoformat(), "updated_at": p.updated_at.isoformat(),
            "can_edit": may_change_playlist(principal, playlist_owner(p)), "n_clips": len(clips),
            "duration_s": round(sum(c.end_s - c.start_s for c in clips), 2),
        }
        if with_clips:
            item["clips"] = clip_dicts(session, principal, clips) if clips else []
        out.append(item)
    return out


def playlist_dict(session: Session, principal: Principal, playlist: Playlist) -> dict[str, Any]:
    return playlist_dicts(session, principal, [playlist])[0]
