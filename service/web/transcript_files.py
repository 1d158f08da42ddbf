"""A call's transcript as files people download: plain text, WebVTT and a Word document, built from
the stored analysis JSON (its turns, words and speakers, with the names the call page shows).

Presentation only: the routes that serve them (`service.web.downloads`) apply the access policy.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.web.call_view import speaker_name
from transcription.control_chars import FREE_TEXT_CONTROLS
from transcription.display import clock
from transcription.errors import TalktrackError
from transcription.transcript_io import transcript_from_json, write_vtt

_CONTROLS = re.compile(f"[{FREE_TEXT_CONTROLS}]")


@dataclass(frozen=True)
class CallHeading:
    """What a file says about its call before the transcript."""

    title: str
    meta: list[str]  # "Dana Rep", "2026-12-05 14:03", "2:44"


@dataclass(frozen=True)
class Line:
    start: float
    name: str
    text: str


def _clean(text: str) -> str:
    return _CONTROLS.sub(" ", text).strip()


def transcript_lines(analysis: dict[str, Any]) -> list[Line]:
    """The analysis' turns in time order, each with its speaker's name as the page shows it."""
    names = {str(sp.get("id")): speaker_name(sp) for sp in analysis.get("speakers") or []}
    lines = [Line(float(t.get("start") or 0.0), names.get(str(t.get("speaker")), str(t.get("speaker"))),
                  _clean(str(t.get("text") or "")))
             for t in analysis.get("turns") or []]
    return sorted((li for li in lines if li.text), key=lambda li: li.start)


def transcript_txt(heading: CallHeading, analysis: dict[str, Any]) -> str:
    out = [_clean(heading.title), " · ".join(heading.meta), ""]
    out += [f"[{clock(li.start)}] {li.name}: {li.text}" for li in transcript_lines(analysis)]
    return "\n".join(out) + "\n"


def _vtt_time(t: float) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def transcript_vtt(analysis: dict[str, Any]) -> str:
    """WebVTT with a `<v Name>` voice tag per cue, through the same writer as `talktrack analyze`
    (`transcription.transcript_io.write_vtt`, which `read_vtt` reads back), with the page's
    speaker names. An analysis the reader refuses (no words) gets one cue per turn instead."""
    named = dict(analysis)
    named["speakers"] = [{**sp, "name": speaker_name(sp)} for sp in analysis.get("speakers") or []]
    try:
        transcript = transcript_from_json(named)
        if transcript.words:
            return write_vtt(transcript)
    except (TalktrackError, KeyError, TypeError, ValueError):
        pass
    out = ["WEBVTT", ""]
    for t in analysis.get("turns") or []:
        start, end = float(t.get("start") or 0.0), float(t.get("end") or 0.0)
        name = next((speaker_name(sp) for sp in named["speakers"] if str(sp.get("id")) == str(t.get("speaker"))),
                    str(t.get("speaker")))
        text = _clean(str(t.get("text") or "")).replace("<", "&lt;").replace(">", "&gt;")
        if text:
            out += [f"{_vtt_time(start)} --> {_vtt_time(max(start, end))}",
                    f"<v {name.replace('<', '').replace('>', '')}>{text}", ""]
    return "\n".join(out)


def transcript_docx(heading: CallHeading, analysis: dict[str, Any]) -> bytes:
    """A Word document: the call's title as its heading, the call's details, then one paragraph per
    turn ("0:12 Jordan Lee:" in bold, then what was said)."""
    from docx import Document  # python-docx: loaded when someone downloads a document
    from docx.shared import Pt

    doc = Document()
    title = _clean(heading.title)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title[:255], "Talktrack", "Talktrack"
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)
    doc.add_heading(title, level=1)
    meta = doc.add_paragraph(" · ".join(_clean(m) for m in heading.meta))
    for run in meta.runs:
        run.font.size = Pt(9)
    for li in transcript_lines(analysis):
        p = doc.add_paragraph()
        who = p.add_run(f"{clock(li.start)} {_clean(li.name)}: ")
        who.bold = True
        p.add_run(li.text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
