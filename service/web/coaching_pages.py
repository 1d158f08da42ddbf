"""Coaching pages: the review inbox, a rep's trends and the team's insights."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.domain import scorecards
from service.web.call_view import clock
from service.web.pages import SignedIn, render

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def review_inbox(request: Request, who: SignedIn) -> Response:
    """The analysed calls of the coach's team that nobody has scored yet."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        calls = scorecards.review_inbox(session, who.principal)
    return render(request, "inbox.html", {"calls": calls, "clock": clock}, who)
