"""Call data the call-review tests share: a brief of the sample call grounded in what was said (each
item's words found in the analysis' words, with their times), the sample's analysis tiled to a
2-hour call, and storing an analysis (and call fields) for a call the suite uploaded."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

CALL_DATE = "2026-12-01"  # a Tuesday: "by Friday" is 2026-12-04, "next Thursday" 2026-12-10


def _said(analysis: dict[str, Any], fragment: str, after: float = 0.0) -> tuple[float, float, str]:
    """(start, end, speaker) of `fragment` as said in the analysis' words, at or after `after` seconds."""
    norm = [re.sub(r"[^\w']", "", w["word"].lower()) for w in analysis["words"]]
    want = [re.sub(r"[^\w']", "", t.lower()) for t in fragment.split()]
    for i in range(len(norm) - len(want) + 1):
        if norm[i:i + len(want)] == want and analysis["words"][i]["start"] >= after:
            first, last = analysis["words"][i], analysis["words"][i + len(want) - 1]
            return float(first["start"]), float(last["end"]), str(first["speaker"])
    raise AssertionError(f"{fragment!r} is not said in the call")


ITEMS: list[dict[str, Any]] = [  # the sample call's facts, as a labeller would write them
    {"kind": "pain", "text": "our win rate dropped from thirty percent to about twenty"},
    {"kind": "pain", "text": "the dialer records everything, but nobody listens to them"},
    {"kind": "need", "text": "I want to see that on every call"},
    {"kind": "price", "text": "It's sixty dollars per seat per month", "amount": 60.0},
    {"kind": "competitor", "text": "We looked at Gong and at Chorus last year", "detail": "Gong"},
    {"kind": "objection", "text": "both were over our budget", "detail": "price"},
    {"kind": "objection", "text": "we can't do anything before next quarter", "detail": "timing"},
    {"kind": "question", "text": "Can you do a discount if we sign for two years?"},
    {"kind": "next_step", "text": "I'll send the proposal by Friday, with a two year option.", "owner": "rep",
     "due": "2026-12-04", "date_phrase": "by Friday"},
    {"kind": "next_step", "text": "let's book a follow-up next Thursday at two with your sales managers",
     "owner": "both", "due": "2026-12-10", "date_phrase": "next Thursday"},
]
CHAPTERS = [("Why now: win rate and coaching", "Hi Jordan, this is"),
            ("Recording, Salesforce and outbound calls", "Yes, the dialer records"),
            ("How Talktrack works", "Okay, so let me show you"),
            ("Price, budget and timing", "How much does it cost"),
            ("Proposal and follow-up", "I can ask my manager")]
EMAIL = {"subject": "Thanks for today, Jordan: proposal and follow-up",
         "body": "Hi Jordan,\n\nThanks for your time today. What we heard:\n- your win rate dropped from thirty percent "
                 "to about twenty\n- nobody listens to the dialer's recordings\n\nNext steps:\n- I'll send the proposal "
                 "by Friday (Fri 4 Dec)\n- Follow-up with your sales managers next Thursday (Thu 10 Dec)\n\nBest,\nAlex"}


def sample_brief(analysis: dict[str, Any], offset: float = 0.0) -> dict[str, Any]:
    """The brief of the sample call (`nlp.brief.types.Brief.to_dict()`), grounded in its words; with
    `offset`, in the copy of the call that starts there (a tiled long call)."""
    from nlp.brief.types import Brief, BriefItem, Chapter, FollowUpEmail

    roles = {str(s["id"]): str(s.get("role") or "unknown") for s in analysis["speakers"]}
    items = []
    for raw in ITEMS:
        start, end, speaker = _said(analysis, raw["text"], offset)
        items.append(BriefItem(kind=raw["kind"], text=raw["text"], start=start, end=end, speaker=speaker,
                               role=roles.get(speaker, "unknown"), confidence=0.9, detail=raw.get("detail"),
                               amount=raw.get("amount"), owner=raw.get("owner"), due=raw.get("due"),
                               date_phrase=raw.get("date_phrase")))
    starts = [_said(analysis, opening, offset)[0] for _, opening in CHAPTERS]
    ends = [*starts[1:], _said(analysis, "Bye for now.", offset)[1]]
    chapters = [Chapter(title, s, e, title.lower().split(", ")) for (title, _), s, e in zip(CHAPTERS, starts, ends, strict=True)]
    brief = Brief(chapters=chapters, items=items, email=FollowUpEmail(**EMAIL), call_date=CALL_DATE,
                  call_date_source="recorded_at")
    data: dict[str, Any] = brief.to_dict()
    return data


def tiled(base: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The sample's analysis repeated end to end (times shifted) until it lasts `seconds`."""
    span = float(base["duration_s"]) + 2.0
    reps = max(1, -(-int(seconds) // int(span)))
    out = {k: v for k, v in base.items() if k not in ("words", "turns", "speaker_turns", "questions", "trackers",
                                                        "next_steps", "brief")}
    for key in ("words", "turns", "speaker_turns", "questions", "trackers", "next_steps"):
        items = []
        for r in range(reps):
            for item in base.get(key) or []:
                shifted = dict(item)
                for t in ("start", "end"):
                    if shifted.get(t) is not None:
                        shifted[t] = round(float(shifted[t]) + r * span, 3)
                items.append(shifted)
        out[key] = items
    out["duration_s"] = round(reps * span, 3)
    return out


def store_analysis(web: Any, call_id: str, analysis: dict[str, Any], **call_fields: Any) -> None:
    """Replace a done call's stored analysis (a fresh call page: `updated_at` moves) and set call fields."""
    from models import Call
    from models.calls import CallResult
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        call, row = s.get(Call, call_id), s.get(CallResult, call_id)
        assert call is not None and row is not None
        row.analysis_json = json.dumps(analysis)
        row.updated_at = datetime.now(UTC)
        for name, value in call_fields.items():
            setattr(call, name, value)
        s.add_all([call, row])
        s.commit()


def stored_analysis(web: Any, call_id: str) -> dict[str, Any]:
    from models.calls import CallResult
    from service.core.db import session_scope

    with session_scope(web.stack.settings()) as s:
        row = s.get(CallResult, call_id)
        assert row is not None
        data: dict[str, Any] = json.loads(row.analysis_json)
        return data


SUMMARY_MODEL = "llama3.1:8b"
SUMMARY = [  # (sentence, the items it cites: indices in ITEMS), as a grounded generated summary would be
    ("The customer's win rate dropped from thirty percent to about twenty.", [0]),
    ("They looked at Gong and Chorus, and both were over their budget.", [4, 5]),
    ("The rep will send the proposal by Friday, with a two year option.", [8]),
]


def with_summary(brief: dict[str, Any], dropped: int = 1) -> dict[str, Any]:
    """`brief` with a generated summary (`Brief.summary`, docs/brief.md "Generative wording"): the
    sentences of `SUMMARY`, each citing its items' moments, one more dropped by the grounding check."""
    from nlp.brief.types import Brief, Cite, SummarySentence

    out = Brief.from_dict(brief)
    sentences = []
    for text, cited in SUMMARY:
        cites = [Cite(k, out.items[k].start, out.items[k].end) for k in cited]
        sentences.append(SummarySentence(text, cites, min(c.start for c in cites), max(c.end for c in cites)))
    out.summary, out.summary_dropped, out.summary_model = sentences, dropped, SUMMARY_MODEL
    data: dict[str, Any] = out.to_dict()
    return data
