"""One analysed call: the transcript plus everything the language stage found, and its JSON form.

`CallAnalysis.to_dict()` is the JSON the CLI (`--format json`) and the HTTP API return; its
schema is `nlp/analysis.schema.json`. `from_dict()` reads it back, so an analysis can be
re-imported, relabelled and recomputed without re-transcribing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nlp.types import CallMetrics, NextStep, Question, TrackerHit
from transcription.errors import TranscriptParseError
from transcription.types import Speaker, Transcript, Word, build_turns

SCHEMA_VERSION = 1


@dataclass(slots=True)
class CallAnalysis:
    transcript: Transcript
    questions: list[Question] = field(default_factory=list)
    trackers: list[TrackerHit] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    metrics: CallMetrics = field(default_factory=CallMetrics)

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
            "questions": [asdict(q) for q in self.questions],
            "trackers": [asdict(h) for h in self.trackers],
            "next_steps": [asdict(n) for n in self.next_steps],
            "metrics": asdict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallAnalysis:
        """Rebuild an analysis from its JSON form (questions, trackers and metrics included)."""
        try:
            speakers = [
                Speaker(
                    id=str(s["id"]),
                    role=s.get("role", "unknown"),
                    name=s.get("name"),
                    channel=s.get("channel"),
                    role_confidence=s.get("role_confidence"),
                )
                for s in data["speakers"]
            ]
            words = [
                Word(
                    start=float(w["start"]),
                    end=float(w["end"]),
                    word=str(w["word"]),
                    speaker=str(w["speaker"]),
                    probability=float(w.get("probability", 1.0)),
                )
                for w in data["words"]
            ]
            transcript = Transcript(
                duration_s=float(data["duration_s"]),
                speakers=speakers,
                words=words,
                source=data.get("source", "json"),
                has_timing=bool(data.get("has_timing", True)),
                language=str(data.get("language", "en")),
                warnings=list(data.get("warnings", [])),
            )
            return cls(
                transcript=transcript,
                questions=[Question(**q) for q in data.get("questions", [])],
                trackers=[TrackerHit(**h) for h in data.get("trackers", [])],
                next_steps=[NextStep(**n) for n in data.get("next_steps", [])],
                metrics=CallMetrics(**data.get("metrics", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptParseError(f"not a Talktrack analysis JSON: {exc!r}") from exc


def speaking_time_by_speaker(words: list[Word]) -> dict[str, float]:
    """Sum, per speaker, of the union of that speaker's word intervals."""
    by_speaker: dict[str, list[tuple[float, float]]] = {}
    for w in words:
        by_speaker.setdefault(w.speaker, []).append((w.start, w.end))
    return {spk: _union_length(iv) for spk, iv in by_speaker.items()}


def _union_length(intervals: list[tuple[float, float]]) -> float:
    total = 0.0
    cur_start, cur_end = None, None
    for start, end in sorted(intervals):
        if cur_end is None or start > cur_end:
            if cur_end is not None and cur_start is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None and cur_start is not None:
        total += cur_end - cur_start
    return total


__all__ = ["CallAnalysis", "SCHEMA_VERSION", "build_turns", "speaking_time_by_speaker"]
