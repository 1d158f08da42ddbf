"""`build_brief`: the call's brief from its transcript and what the language stage found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from nlp.brief.chapters import find_chapters
from nlp.brief.competitors import find_competitors
from nlp.brief.context import build_context
from nlp.brief.email import draft_email
from nlp.brief.items import find_items
from nlp.brief.steps import find_steps
from nlp.brief.types import ITEM_KINDS, Brief, CallDateSource
from nlp.brief.unanswered import find_unanswered
from nlp.brief.vectors import EmbeddingCache
from nlp.sentences import Sentence
from nlp.types import NextStep, Question, TrackerHit
from transcription.types import Transcript

NO_SPEECH = "No speech was found in this call."


def build_brief(
    transcript: Transcript,
    *,
    sentences: Sequence[Sentence],
    questions: Sequence[Question] = (),
    trackers: Sequence[TrackerHit] = (),
    next_steps: Sequence[NextStep] = (),
    call_date: dt.date | None = None,
    call_date_source: CallDateSource | None = None,
    cache: EmbeddingCache | None = None,
) -> Brief:
    """Chapters, items and the follow-up draft of one call.

    `sentences`, `questions`, `trackers` and `next_steps` are the language stage's findings on
    `transcript` (`nlp.language.analyze_language`, with the roles final). `call_date` is the day
    relative due dates resolve against (None: every due date stays null); `call_date_source` says where it came from. `cache` holds the sentence embeddings the
    trackers computed (a fresh one embeds what it needs).
    """
    iso = call_date.isoformat() if call_date else None
    if not transcript.words or not sentences:
        return Brief(call_date=iso, call_date_source=call_date_source, empty_reason=NO_SPEECH)
    cache = cache if cache is not None else EmbeddingCache()
    ctx = build_context(transcript, list(sentences), cache, call_date)
    unanswered, deflections = find_unanswered(ctx, list(questions))
    items = find_items(ctx)
    items += find_competitors(ctx, list(trackers))
    items += find_steps(ctx, list(next_steps), deflections)
    items += unanswered
    order = {kind: k for k, kind in enumerate(ITEM_KINDS)}
    items.sort(key=lambda it: (it.start, order[it.kind]))
    return Brief(
        chapters=find_chapters(ctx),
        items=items,
        email=draft_email(items, transcript, iso),
        call_date=iso,
        call_date_source=call_date_source,
    )


__all__ = ["NO_SPEECH", "build_brief"]
