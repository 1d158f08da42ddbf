"""The coaching library: `/v1/clips` (a titled span of a call) and `/v1/playlists` (ordered clips for
the creator's team or the organization). The rule of who sees and changes what is
`service.core.access` ("Clips and playlists"); `service.domain.clips` applies it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import CurrentPrincipal, Principal, SessionDep, allowed_to
from service.api.responses import API_ERRORS
from service.domain import clips

router = APIRouter(tags=["clips"], responses=API_ERRORS)

_SPAN = "seconds from the start of the call"
Title = Annotated[str, Field(min_length=1, max_length=clips.TITLE_MAX, description="one line")]
Note = Annotated[str, Field(max_length=clips.NOTE_MAX, description="free text")]


class ClipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [{
        "call_id": "3f2c9e0a7b5d4c1e8f6a2b3c4d5e6f70", "start_s": 62.5, "end_s": 95.0,
        "title": "Handling the price objection", "note": "Listen to how she asks about the budget first."}]})

    call_id: str = Field(min_length=1, max_length=32)
    start_s: float = Field(ge=0, description=_SPAN)
    end_s: float = Field(gt=0, description=f"{_SPAN}; after start_s, at most 15 minutes later, inside the call")
    title: Title
    note: Note | None = None


class ClipPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    title: Title | None = None
    note: Note | None = Field(default=None, description="an empty string removes the note")
    start_s: float | None = Field(default=None, ge=0, description=_SPAN)
    end_s: float | None = Field(default=None, gt=0, description=_SPAN)


class PlaylistCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Discovery done right", "description": "Five openings to learn from.", "audience": "team"}]})

    title: Title
    description: Note | None = None
    audience: Literal["team", "organization"] = Field(
        default="team", description="team: the creator's team; organization: everyone in it (admin, coach)")


class PlaylistPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Note | None = None
    audience: Literal["team", "organization"] | None = None
    clip_ids: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=clips.MAX_PLAYLIST_CLIPS,
        description="every clip of the playlist once, in the new order")


class PlaylistClipAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clip_id: str = Field(min_length=1, max_length=32)


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such clip visible to this key"}}
_NO_PLAYLIST: dict[int | str, dict[str, Any]] = {404: {"description": "no such playlist (or clip) visible to this key"}}


@router.post("/clips", status_code=201, summary="Clip a span of a call (admin, coach; a rep: own calls)",
             responses={404: {"description": "no such call visible to this key"},
                        409: {"description": "the call is not analysed yet"},
                        422: {"description": "the span is not inside the call, ends before it starts, or is "
                                             "longer than 15 minutes; or a field is wrong"}})
def create_clip(body: ClipCreate, session: SessionDep,
                principal: Annotated[Principal, allowed_to("clip.write")]) -> dict[str, Any]:
    clip = clips.create_clip(session, principal, body.call_id, body.start_s, body.end_s, body.title, body.note)
    return clips.clip_dict(session, principal, clip)


@router.get("/clips", summary="Clips this key sees (those of calls it sees, and those in playlists it sees)")
def list_clips(session: SessionDep, principal: CurrentPrincipal,
               call_id: str | None = Query(None, max_length=32, description="only this call's clips"),
               limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)) -> dict[str, Any]:
    page = clips.list_clips(session, principal, call_id, limit, offset)
    return {"items": clips.clip_dicts(session, principal, page.items), "total": page.total,
            "limit": limit, "offset": offset}


@router.get("/clips/{clip_id}", summary="A clip", responses=_NOT_FOUND)
def get_clip(clip_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    clip = clips.visible_clip(session, principal, clip_id)
    out = clips.clip_dict(session, principal, clip)
    out["transcript"] = [{"speaker": t["speaker"], "name": t["name"], "role": t["role"], "start": t["start"],
                          "text": t["text"]} for t in clips.span_turns(session, clip, clips.clip_call(session, clip))]
    return out


@router.patch("/clips/{clip_id}", summary="Change a clip (its creator, or an admin or coach who sees its call)",
              responses={**_NOT_FOUND, 409: {"description": "the call is not analysed"},
                         422: {"description": "a bad span or field"}})
def patch_clip(clip_id: str, body: ClipPatch, session: SessionDep,
               principal: Annotated[Principal, allowed_to("clip.write")]) -> dict[str, Any]:
    clip = clips.update_clip(session, principal, clip_id, title=body.title, note=body.note, start_s=body.start_s,
                             end_s=body.end_s, clear_note="note" in body.model_fields_set)
    return clips.clip_dict(session, principal, clip)


@router.delete("/clips/{clip_id}", status_code=204, responses=_NOT_FOUND,
               summary="Delete a clip, and its places in playlists (its creator, or an admin or coach who sees its call)")
def delete_clip(clip_id: str, session: SessionDep,
                principal: Annotated[Principal, allowed_to("clip.write")]) -> Response:
    clips.delete_clip(session, principal, clip_id)
    return Response(status_code=204)


@router.post("/playlists", status_code=201, summary="Make a playlist for your team (or, admin and coach, "
                                                     "for the organization)",
             responses={422: {"description": "a bad field, or a team playlist by someone in no team"}})
def create_playlist(body: PlaylistCreate, session: SessionDep,
                    principal: Annotated[Principal, allowed_to("playlist.write")]) -> dict[str, Any]:
    playlist = clips.create_playlist(session, principal, body.title, body.description, body.audience)
    return clips.playlist_dict(session, principal, playlist)


@router.get("/playlists", summary="Playlists this key sees (its team's, the organization's, its own)")
def list_playlists(session: SessionDep, principal: CurrentPrincipal,
                   limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000),
                   ) -> dict[str, Any]:
    found = clips.list_playlists(session, principal, limit, offset)
    return {"items": clips.playlist_dicts(session, principal, found, with_clips=False), "limit": limit,
            "offset": offset}


@router.get("/playlists/{playlist_id}", summary="A playlist with its clips in order", responses=_NO_PLAYLIST)
def get_playlist(playlist_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return clips.playlist_dict(session, principal, clips.visible_playlist(session, principal, playlist_id))


@router.patch("/playlists/{playlist_id}", summary="Change a playlist or the order of its clips (its creator, an "
                                                  "admin, or a coach of its team)",
              responses={**_NO_PLAYLIST, 422: {"description": "a bad field, or clip_ids not the playlist's clips"}})
def patch_playlist(playlist_id: str, body: PlaylistPatch, session: SessionDep,
                   principal: Annotated[Principal, allowed_to("playlist.write")]) -> dict[str, Any]:
    playlist = clips.update_playlist(session, principal, playlist_id, title=body.title, description=body.description,
                                     audience=body.audience, clip_ids=body.clip_ids)
    return clips.playlist_dict(session, principal, playlist)


@router.delete("/playlists/{playlist_id}", status_code=204, responses=_NO_PLAYLIST,
               summary="Delete a playlist (its clips stay)")
def delete_playlist(playlist_id: str, session: SessionDep,
                    principal: Annotated[Principal, allowed_to("playlist.write")]) -> Response:
    clips.delete_playlist(session, principal, playlist_id)
    return Response(status_code=204)


@router.post("/playlists/{playlist_id}/clips", status_code=201, summary="Add a clip at the end of a playlist "
             "(a clip of a call you may open)",
             responses={**_NO_PLAYLIST, 409: {"description": "the clip is already in the playlist"}})
def add_playlist_clip(playlist_id: str, body: PlaylistClipAdd, session: SessionDep,
                      principal: Annotated[Principal, allowed_to("playlist.write")]) -> dict[str, Any]:
    playlist = clips.add_clip(session, principal, playlist_id, body.clip_id)
    return clips.playlist_dict(session, principal, playlist)


@router.delete("/playlists/{playlist_id}/clips/{clip_id}", status_code=204, responses=_NO_PLAYLIST,
               summary="Take a clip out of a playlist (the clip stays)")
def remove_playlist_clip(playlist_id: str, clip_id: str, session: SessionDep,
                         principal: Annotated[Principal, allowed_to("playlist.write")]) -> Response:
    clips.remove_clip(session, principal, playlist_id, clip_id)
    return Response(status_code=204)
