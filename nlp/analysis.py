"""One analysed call: the transcript plus everything the language stage found, and its JSON form.

`CallAnalysis.to_dict()` is the JSON the CLI (`--format json`) and the HTTP API return; its
schema is `nlp/analysis.schema.json`. `from_dict()` reads it back, so an analysis can be
re-imported, relabelled and recomputed without re-transcribing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, get_args

from nlp.brief.types import Brief, CallDateSource
from nlp.metrics import compute_metrics, speaking_time_by_speaker
from nlp.speaker_roles import (
    RolesNote,
    apply_content_roles,
    infer_roles_from_content,
    needs_roles,
    roles_note,
)
from nlp.types import CallMetrics, NextStep, Question, TrackerHit
from transcription.errors import TranscriptParseError
from transcription.transcript_io import transcript_from_json
from transcription.types import Transcript, TranscriptSource

if TYPE_CHECKING:
    from nlp.trackers import TrackerSet

SCHEMA_VERSION = 1


@dataclass(slots=True)
class CallAnalysis:
    transcript: Transcript
    questions: list[Question] = field(default_factory=list)
    trackers: list[TrackerHit] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    metrics: CallMetrics = field(default_factory=CallMetrics)
    roles_note: RolesNote | None = None
    brief: Brief | None = None

    def talk_time_s(self) -> dict[str, float]:
        """Speaking time per speaker id: the union of its word intervals (silence excluded)."""
        return speaking_time_by_speaker(self.transcript.words)

    def to_dict(self) -> dict[str, Any]:
        t = self.transcript
        talk = self.talk_time_s()
        return {
            "schema_version": SCHEMA_VERSION,
            "duration_s": round(t.duration_s, 3),
            "source": t.source,
            "has_timing": t.has_timing,
            "language": t.language,
            "warnings": list(t.warnings),
            "speakers": [
                {
                    "id": s.id,
                    "role": s.role,
                    "name": s.name,
                    "channel": s.channel,
                    "role_confidence": s.role_confidence,
                    "role_source": s.role_source,
                    "talk_time_s": round(talk.get(s.id, 0.0), 3),
                }
                for s in t.speakers
            ],
            "words": [
                {
                    "start": round(w.start, 3),
                    "end": round(w.end, 3),
                    "word": w.word,
                    "speaker": w.speaker,
                    "probability": round(w.probability, 3),
                }
                for w in t.words
            ],
            "turns": [
                {"speaker": tr.speaker, "start": round(tr.start, 3), "end": round(tr.end, 3), "text": tr.text}
                for tr in t.turns
            ],
            "speaker_turns": [
                {"speaker": st.speaker, "start": round(st.start, 3), "end": round(st.end, 3)}
                for st in t.speaker_turns
            ],
            "questions": [asdict(q) for q in self.questions],
            "trackers": [asdict(h) for h in self.trackers],
            "next_steps": [asdict(n) for n in self.next_steps],
            "metrics": asdict(self.metrics),
            "roles_note": None if self.roles_note is None else self.roles_note.to_dict(),
            "speakers_note": None if t.speakers_note is None else t.speakers_note.to_dict(),
            "brief": None if self.brief is None else self.brief.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallAnalysis:
        """Rebuild an analysis from its JSON form (questions, trackers and metrics included)."""
        transcript = transcript_from_json(data)
        source = data.get("source", "json")
        if source in get_args(TranscriptSource):
            transcript.source = source
        note = data.get("roles_note")
        brief = data.get("brief")
        try:
            return cls(
                transcript=transcript,
                questions=[Question(**q) for q in data.get("questions", [])],
                trackers=[TrackerHit(**h) for h in data.get("trackers", [])],
                next_steps=[NextStep(**n) for n in data.get("next_steps", [])],
                metrics=CallMetrics(**data.get("metrics", {})),
                roles_note=RolesNote(str(note["why"]), str(note["fix"])) if isinstance(note, dict) else None,
                brief=Brief.from_dict(brief) if isinstance(brief, dict) else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptParseError(f"not a Talktrack analysis JSON: {exc!r}") from exc


def analyze_transcript(
    transcript: Transcript,
    *,
    trackers: TrackerSet | None = None,
    call_date: dt.date | None = None,
    call_date_source: CallDateSource | None = None,
) -> CallAnalysis:
    """Run the language stage (questions, trackers, next steps, fillers), the metrics and the call
    brief on a speaker-attributed transcript. When no speaker has a role (and none was set by
    hand), the roles come from what is said (`nlp.speaker_roles`); when still no rep is known,
    `roles_note` says why and how to fix it. `call_date` is the day the call took place, which the
    brief's due dates resolve against (`call_date_source`: where it came from); None leaves them
    null."""
    # Imported here so that reading and writing analysis JSON does not load spaCy.
    from nlp.brief.build import build_brief
    from nlp.brief.vectors import EmbeddingCache
    from nlp.language import analyze_language, tracker_hits
    from nlp.trackers import default_trackers

    # One embedding per sentence: the semantic trackers' vectors are the brief's too.
    cache = EmbeddingCache()
    infer = needs_roles(transcript)
    # When roles may still change, the tracker matching by meaning (the costly part) waits for them.
    findings = analyze_language(transcript, trackers=trackers, semantic=not infer, embed=cache.embed)
    reason = None
    if infer:
        verdict = infer_roles_from_content(transcript, findings.questions, findings.next_steps)
        reason = verdict.reason
        transcript = apply_content_roles(transcript, verdict)
        if transcript.words:
            roles = {s.id: s.role for s in transcript.speakers}
            tracker_set = trackers if trackers is not None else default_trackers()
            findings.trackers = tracker_hits(findings.sentences, roles, tracker_set, embed=cache.embed)
    brief = build_brief(
        transcript,
        sentences=findings.sentences,
        questions=findings.questions,
        trackers=findings.trackers,
        next_steps=findings.next_steps,
        call_date=call_date,
        call_date_source=call_date_source,
        cache=cache,
    )
    return CallAnalysis(
        transcript=transcript,
        questions=findings.questions,
        trackers=findings.trackers,
        next_steps=findings.next_steps,
        metrics=compute_metrics(transcript, findings.questions, findings.filler_counts),
        roles_note=roles_note(transcript, reason),
        brief=brief,
    )


def call_date_of(analysis: CallAnalysis) -> tuple[dt.date | None, CallDateSource | None]:
    """The call's date and its source as the analysis' brief recorded them (None, None without)."""
    brief = analysis.brief
    if brief is None or not brief.call_date:
        return None, None
    try:
        return dt.date.fromisoformat(brief.call_date), brief.call_date_source
    except ValueError:
        return None, None


def recompute(analysis: CallAnalysis, *, trackers: TrackerSet | None = None) -> CallAnalysis:
    """Recompute everything derived from the transcript (after speakers or roles changed), without
    re-transcribing; the brief keeps the call's date."""
    call_date, source = call_date_of(analysis)
    return analyze_transcript(analysis.transcript, trackers=trackers, call_date=call_date, call_date_source=source)


__all__ = ["SCHEMA_VERSION", "CallAnalysis", "analyze_transcript", "call_date_of", "recompute"]
