"""Working together on a call (docs/collaboration.md): comments at a moment, threads, @mentions,
shares, and each person's notifications.

- `GET/POST /v1/calls/{id}/comments`, `PATCH/DELETE /v1/calls/{id}/comments/{comment_id}`
- `POST /v1/calls/{id}/shares`, `DELETE /v1/calls/{id}/shares/{user_id}`
- `GET /v1/notifications`, `POST /v1/notifications/{id}/read`
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import CurrentPrincipal, Principal, SessionDep, SettingsDep, allowed_to
from service.api.responses import API_ERRORS
from service.core.config import Settings
from service.domain import comments
from service.web.pages import public_base

router = APIRouter(tags=["collaboration"], responses=API_ERRORS)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"text": "@cora listen to how the price question lands here", "start": 65.2, "end": 80.0}]})

    text: str = Field(min_length=1, max_length=comments.MAX_TEXT,
                      description="plain text; @name mentions a person of the organization (docs/collaboration.md)")
    start: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                description="the moment, in seconds from the call's start (a reply: its thread's)")
    end: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                              description="the end of a selected span of the transcript, in seconds")
    parent_id: str | None = Field(default=None, max_length=32, description="reply to this comment's thread")


class CommentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str = Field(min_length=1, max_length=comments.MAX_TEXT)


class Person(BaseModel):
    user_id: str
    name: str


class CommentOut(BaseModel):
    id: str
    call_id: str
    parent_id: str | None
    start: float
    end: float | None
    text: str = Field(description="empty once deleted")
    deleted: bool
    author: Person | None
    created_at: datetime
    edited_at: datetime | None
    link: str = Field(description="the call page at the comment's moment")
    can_edit: bool
    can_delete: bool


class Thread(CommentOut):
    replies: list[CommentOut]


class Threads(BaseModel):
    items: list[Thread]


class SavedComment(CommentOut):
    mentioned: list[Person] = Field(description="people notified by this save")
    not_visible_to: list[Person] = Field(
        description="people mentioned who cannot see the call: not notified, and the call is not shared "
                    "with them (POST /v1/calls/{id}/shares does that)")
    ambiguous: list[str] = Field(description="mentions that name more than one person (nobody is notified)")


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    user_id: str = Field(min_length=1, max_length=32)


class ShareOut(BaseModel):
    call_id: str
    user_id: str
    name: str
    granted_by: str | None
    created_at: datetime
    saw_it_already: bool = Field(description="the person's own scope already held the call when it was shared")


class NotificationOut(BaseModel):
    id: str
    kind: str
    call_id: str
    call_title: str
    comment_id: str | None
    at: float
    link: str
    excerpt: str
    by: str | None
    created_at: datetime
    read: bool
    read_at: datetime | None


class Notifications(BaseModel):
    unread: int
    total: int
    items: list[NotificationOut]


_CALL_404: dict[int | str, dict[str, Any]] = {404: {"description": "no such call visible to this key"}}
_COMMENT_404: dict[int | str, dict[str, Any]] = {404: {"description": "no such call visible to this key, or no such comment on it"}}


def _mail(request: Request, session: Any, settings: Settings, saved: comments.Saved) -> None:
    url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
    comments.mail_mentions(session, saved, public_base(request), url, settings.smtp_from)


@router.get("/calls/{call_id}/comments", response_model=Threads, summary="A call's comment threads, in time order",
            responses=_CALL_404)
def list_comments(call_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return {"items": comments.list_threads(session, principal, call_id)}


@router.post("/calls/{call_id}/comments", response_model=SavedComment, status_code=201,
             summary="Comment on a moment of a call (admin, coach, rep)",
             responses={**_CALL_404, 422: {"description": "bad text, moment or parent"}})
def create_comment(call_id: str, body: CommentIn, request: Request, session: SessionDep, settings: SettingsDep,
                   principal: Annotated[Principal, allowed_to("call.comment")]) -> dict[str, Any]:
    saved = comments.add_comment(session, principal, call_id, body.text, body.start, body.end, body.parent_id)
    _mail(request, session, settings, saved)
    return comments.saved_dict(session, principal, saved)


@router.patch("/calls/{call_id}/comments/{comment_id}", response_model=SavedComment,
              summary="Edit a comment (its author)",
              responses={**_COMMENT_404, 403: {"description": "not the comment's author"}})
def edit_comment(call_id: str, comment_id: str, body: CommentEdit, request: Request, session: SessionDep,
                 settings: SettingsDep, principal: Annotated[Principal, allowed_to("call.comment")]) -> dict[str, Any]:
    saved = comments.edit_comment(session, principal, call_id, comment_id, body.text)
    _mail(request, session, settings, saved)
    return comments.saved_dict(session, principal, saved)


@router.delete("/calls/{call_id}/comments/{comment_id}", status_code=204,
               summary="Delete a comment (its author, or an admin)",
               responses={**_COMMENT_404, 403: {"description": "neither its author nor an admin"}})
def delete_comment(call_id: str, comment_id: str, session: SessionDep,
                   principal: Annotated[Principal, allowed_to("call.comment")]) -> Response:
    comments.delete_comment(session, principal, call_id, comment_id)
    return Response(status_code=204)


@router.post("/calls/{call_id}/shares", response_model=ShareOut, status_code=201,
             summary="Share a call with a person of the organization (admin, or a coach of the call's team)",
             responses={**_CALL_404, 403: {"description": "not an admin, or a coach whose scope holds the call"},
                        422: {"description": "user_id is not an enabled person of this organization"}})
def share_call(call_id: str, body: ShareIn, session: SessionDep,
               principal: Annotated[Principal, allowed_to("call.share")]) -> dict[str, Any]:
    return comments.share_call(session, principal, call_id, body.user_id)


@router.delete("/calls/{call_id}/shares/{user_id}", status_code=204, summary="Stop sharing a call with a person",
               responses={**_CALL_404, 403: {"description": "not an admin, or a coach whose scope holds the call"}})
def unshare_call(call_id: str, user_id: str, session: SessionDep,
                 principal: Annotated[Principal, allowed_to("call.share")]) -> Response:
    comments.unshare_call(session, principal, call_id, user_id)
    return Response(status_code=204)


@router.get("/notifications", response_model=Notifications,
            summary="Your notifications (mentions), unread first; a key of no person has none")
def list_notifications(session: SessionDep, principal: CurrentPrincipal,
                       limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
                       ) -> dict[str, Any]:
    return comments.notifications(session, principal, limit, offset)


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut,
             summary="Mark one of your notifications read",
             responses={404: {"description": "no such notification of yours"}})
def read_notification(notification_id: str, session: SessionDep,
                      principal: Annotated[Principal, allowed_to("notifications.read")]) -> dict[str, Any]:
    return comments.mark_read(session, principal, notification_id)
