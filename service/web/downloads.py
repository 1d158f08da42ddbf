"""Downloads from the call page: the transcript as plain text, WebVTT and a Word document, and the
analysis JSON. Whoever may view the call may download them (`visible_call`); a call not analysed
yet has nothing to download (409). Every file goes out with the headers of
`service.core.served_files` (explicit type, `nosniff`, a sandboxing policy) and a file name
Talktrack makes from the call's id, never from a name someone typed."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session
from starlette.responses import Response

from models import Call
from service.core.audit import Actor, record
from service.core.errors import Conflict, NotFound
from service.core.i18n import N_
from service.core.served_files import file_headers
from service.domain import analyses
from service.domain import calls as domain_calls
from service.web.pages import SignedIn
from service.web.transcript_files import CallHeading, transcript_docx, transcript_txt, transcript_vtt
from transcription.display import clock

router = APIRouter(include_in_schema=False)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Path suffix -> (media type, what the link says: translated where call.html shows it).
FORMATS: dict[str, tuple[str, str]] = {
    "transcript.txt": ("text/plain; charset=utf-8", N_("Transcript (TXT)")),
    "transcript.vtt": ("text/vtt; charset=utf-8", N_("Subtitles (VTT)")),
    "transcript.docx": (DOCX_TYPE, N_("Word document (DOCX)")),
    "analysis.json": ("application/json", N_("Analysis (JSON)")),
}


def download_name(call: Call, suffix: str) -> str:
    return f"talktrack-call-{call.id}-{suffix}"


def heading_of(call: Call) -> CallHeading:
    meta = [call.rep_name or "", (call.started_at or call.created_at).strftime("%Y-%m-%d %H:%M"),
            clock(call.duration_s) if call.duration_s else ""]
    return CallHeading(call.title or call.original_filename or "Call", [m for m in meta if m])


def _stored(request: Request, who: SignedIn, call_id: str, suffix: str) -> tuple[Call, str]:
    """The call (if the person may view it) and its analysis JSON, unparsed; 409 before it is
    analysed. The download is recorded in the audit trail."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        call = domain_calls.visible_call(session, who.principal, call_id)
        if analyses.result_stamp(session, call) is None:
            raise Conflict(domain_calls.expired_analysis(call)
                           or N_("the call is not analysed yet (status: %(status)s): nothing to download",
                                 status=call.status))
        raw = analyses.analysis_json(session, call.id)
        record(session, "call.download", org_id=call.org_id, actor=Actor.of(who.principal), target_kind="call",
               target_id=call.id, detail={"file": suffix})
        return call, raw


def _file(call: Call, suffix: str, body: bytes | str) -> Response:
    media_type = FORMATS[suffix][0]
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Response(data, media_type=media_type, headers=file_headers(download_name(call, suffix)))


@router.get("/calls/{call_id}/analysis.json")
async def analysis_download(request: Request, call_id: str, who: SignedIn) -> Response:
    call, raw = await run_in_threadpool(_stored, request, who, call_id, "analysis.json")
    return _file(call, "analysis.json", raw)


@router.get("/calls/{call_id}/transcript.{ext}")
async def transcript_download(request: Request, call_id: str, ext: str, who: SignedIn) -> Response:
    suffix = f"transcript.{ext}"
    if suffix not in FORMATS:
        raise NotFound(N_("no such download: the transcript comes as .txt, .vtt or .docx"))
    call, raw = await run_in_threadpool(_stored, request, who, call_id, suffix)

    def build() -> bytes | str:
        analysis: dict[str, Any] = json.loads(raw)
        if ext == "txt":
            return transcript_txt(heading_of(call), analysis)
        if ext == "vtt":
            return transcript_vtt(analysis)
        return transcript_docx(heading_of(call), analysis)

    return _file(call, suffix, await run_in_threadpool(build))
