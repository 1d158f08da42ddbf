"""Comments on the call page (the forms of the panel `_comments.html`, whose data is
`service.domain.comments.call_panel`), sharing a call, and the
mentions inbox (`/mentions`). The rules are `service.domain.comments`' (docs/collaboration.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from service.core.errors import Invalid
from service.core.i18n import N_
from service.domain import comments
from service.web.call_pages import _moment
from service.web.pages import SignedIn, check_csrf, public_base, render
from transcription.display import clock

router = APIRouter(include_in_schema=False)


def _back(call_id: str, at: float | None = None, anchor: str = "#comments", unseen: list[str] | None = None) -> Response:
    query = []
    if at is not None:
        query.append(f"t={int(at)}")
    if unseen:
        query.append("unseen=" + ",".join(unseen))
    return RedirectResponse(f"/calls/{call_id}{'?' + '&'.join(query) if query else ''}{anchor}", status_code=303)


async def _save(request: Request, who: SignedIn, work: Callable[[Session], comments.Saved]) -> Response:
    """Run a comment save (`work`, committed by the domain), mail its mentions, and go back to the
    comment on the call page, naming the people it mentioned who cannot see the call."""
    settings = request.app.state.settings
    base = public_base(request)

    def save() -> comments.Saved:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            saved = work(session)
            url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
            comments.mail_mentions(session, saved, base, url, settings.smtp_from)
            return saved

    saved = await run_in_threadpool(save)
    return _back(saved.comment.call_id, saved.comment.start_s, f"#c-{saved.comment.parent_id or saved.comment.id}",
                 [u.id for u in saved.mentions.not_visible])


@router.post("/calls/{call_id}/comments")
async def add_comment(request: Request, call_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    text = str(form.get("text", ""))
    start = _moment(str(form.get("at", "")))
    end = _moment(str(form.get("end", "")))
    parent = str(form.get("parent_id", "")).strip() or None
    return await _save(request, who,
                       lambda session: comments.add_comment(session, who.principal, call_id, text, start, end, parent))


@router.post("/calls/{call_id}/comments/{comment_id}/edit")
async def edit_comment(request: Request, call_id: str, comment_id: str, who: SignedIn) -> Response:
    """Change one's own comment's text (`comments.edit_comment`: its author only; people it newly
    mentions are notified)."""
    form = await request.form()
    check_csrf(form, who)
    text = str(form.get("text", ""))
    return await _save(request, who,
                       lambda session: comments.edit_comment(session, who.principal, call_id, comment_id, text))


@router.post("/calls/{call_id}/comments/{comment_id}/delete")
async def delete_comment(request: Request, call_id: str, comment_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def remove() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            comments.delete_comment(session, who.principal, call_id, comment_id)

    await run_in_threadpool(remove)
    return _back(call_id)


@router.post("/calls/{call_id}/shares")
async def share_call(request: Request, call_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)
    user_id = str(form.get("user_id", "")).strip()
    if not user_id:
        raise Invalid(N_("choose a person to share the call with"))

    def save() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            comments.share_call(session, who.principal, call_id, user_id)

    await run_in_threadpool(save)
    return _back(call_id)


@router.post("/calls/{call_id}/shares/{user_id}/delete")
async def unshare_call(request: Request, call_id: str, user_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def remove() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            comments.unshare_call(session, who.principal, call_id, user_id)

    await run_in_threadpool(remove)
    return _back(call_id)


@router.get("/mentions")
def mentions_page(request: Request, who: SignedIn,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    size = 50
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = comments.notifications(session, who.principal, limit=size, offset=(page - 1) * size)
    pages = max(1, -(-found["total"] // size))
    return render(request, "mentions.html", {"found": found, "page_no": page, "pages": pages, "params": {},
                                             "clock": clock}, who)


@router.post("/mentions/{notification_id}/read")
async def read_mention(request: Request, notification_id: str, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def mark() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            comments.mark_read(session, who.principal, notification_id)

    await run_in_threadpool(mark)
    return RedirectResponse("/mentions", status_code=303)


@router.post("/mentions/read-all")
async def read_all(request: Request, who: SignedIn) -> Response:
    form = await request.form()
    check_csrf(form, who)

    def mark() -> None:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            comments.mark_all_read(session, who.principal)

    await run_in_threadpool(mark)
    return RedirectResponse("/mentions", status_code=303)
