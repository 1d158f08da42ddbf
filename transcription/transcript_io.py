"""Transcripts in and out: WebVTT (Zoom/Teams exports), the project's JSON, RTTM.

Imported transcripts become the same `Transcript` the audio path produces, so a call recorded
elsewhere gets the same analysis. WebVTT cues carry only cue times, so each word's time is
interpolated across its cue by character length (a long word takes longer to say); the speaker
turns are the cues themselves (one per voice in a cue), so cues that overlap in time give
overlapping turns.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transcription.control_chars import describe_char, first_control_char
from transcription.errors import EmptyInputError, InputNotFoundError, TranscriptParseError
from transcription.scripts import is_chinese_text, split_chinese
from transcription.types import (
    COUNT_CASES,
    ROLE_SOURCES,
    ROLES,
    CountEvidence,
    Role,
    RoleSource,
    Speaker,
    SpeakersNote,
    SpeakerTurn,
    Transcript,
    Word,
    join_words,
    merge_turns,
    name_matches,
)

TRANSCRIPT_EXTENSIONS: frozenset[str] = frozenset({".vtt", ".json"})

_TIMING = re.compile(r"^\s*(?P<start>[\d:.,]+)\s+-->\s+(?P<end>[\d:.,]+)(?:\s+.*)?$")
_TIMESTAMP = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})[.,](?P<ms>\d{1,3})$")
_VOICE_SPAN = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|(?=<v[\s.])|$)", re.S)
_ANY_TAG = re.compile(r"<[^>]*>")
# Zoom writes "Name: text" instead of voice tags.
_NAME_PREFIX = re.compile(r"^(?P<name>[^:<>]{1,60}?):\s+(?P<text>\S.*)$", re.S)
_UNNAMED = "Speaker"


@dataclass(frozen=True, slots=True)
class _Span:
    name: str | None
    text: str


# Longer than any call: a time past this is a broken file (and would size per-second arrays).
MAX_TIME_S = 24 * 3600.0


def _check_time(value: float, what: str) -> float:
    """`value` if it is a usable time in seconds (finite, 0..MAX_TIME_S), else ValueError."""
    if not math.isfinite(value) or not 0.0 <= value <= MAX_TIME_S:
        raise ValueError(f"{what} {value!r} is not a time between 0 and {MAX_TIME_S:g} s")
    return value


def _parse_timestamp(raw: str, line_no: int, path: Path) -> float:
    m = _TIMESTAMP.match(raw.strip())
    if m is None:
        raise TranscriptParseError(
            f"{path.name} line {line_no}: '{raw}' is not a WebVTT timestamp (hh:mm:ss.mmm)."
        )
    hours = int(m["h"] or 0)
    return hours * 3600 + int(m["m"]) * 60 + int(m["s"]) + int(m["ms"].ljust(3, "0")) / 1000


def _cue_spans(payload: str) -> list[_Span]:
    spans = [_Span(m["name"].strip(), m["text"]) for m in _VOICE_SPAN.finditer(payload) if m["text"].strip()]
    if spans:
        return spans
    text = html.unescape(_ANY_TAG.sub("", payload)).strip()
    named = _NAME_PREFIX.match(text)
    if named:
        return [_Span(named["name"].strip(), named["text"])]
    return [_Span(None, text)] if text else []


def _clean(text: str) -> list[str]:
    """The cue's words: split at spaces, and Chinese text into characters as Whisper gives them
    (`transcription.scripts.split_chinese`), so that its words have times of their own."""
    return [unit for tok in html.unescape(_ANY_TAG.sub("", text)).split() for unit in split_chinese(tok)]


def _interpolate(tokens: list[str], start: float, end: float) -> list[tuple[float, float, str]]:
    """Spread `tokens` over [start, end] in proportion to their characters (+1 for the space)."""
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights)
    out: list[tuple[float, float, str]] = []
    t = start
    for tok, wgt in zip(tokens, weights, strict=True):
        step = (end - start) * wgt / total
        out.append((round(t, 3), round(t + step, 3), tok))
        t += step
    return out


def _roles(names: list[str | None], rep_name: str | None) -> list[Role]:
    if rep_name is None or not any(name_matches(n, rep_name) for n in names):
        return ["unknown"] * len(names)
    return ["rep" if name_matches(n, rep_name) else "customer" for n in names]


# A WebVTT file whose cues name nobody is read as one speaker: say so, and how to name them.
UNNAMED_VTT_WARNING = (
    "{name} names no speakers, so the whole transcript is one speaker and no metric can compare rep "
    "and customer; name each cue's speaker with a voice tag (<v Alex Rivera>Hello) or a 'Name: ' prefix"
)
# The rep named for the call (`rep_name`) is none of the cues' speakers (`speakers`: their names).
UNKNOWN_REP_WARNING = "no speaker named '{rep}' (speakers: {speakers}); roles left unknown"


def _read_text(path: str | Path) -> tuple[Path, str]:
    p = Path(path)
    if p.is_dir():
        raise InputNotFoundError(f"{p} is a directory; give one transcript file")
    if not p.is_file():
        raise InputNotFoundError(f"Transcript file not found: {p}")
    raw = p.read_bytes()
    if not raw.strip():
        raise EmptyInputError(f"Transcript file is empty: {p}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptParseError(f"{p.name} is not UTF-8 text.") from exc
    at = first_control_char(text, multiline=True)
    if at is not None:
        line = len(text[:at].replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        raise TranscriptParseError(_control_char_message(f"{p.name} line {line}", text[at], ""))
    return p, text


def _control_char_message(file: str, char: str, where: str) -> str:
    """A transcript holding a control character is refused (`transcription.control_chars`): the
    text could not be stored, and no transcript means it."""
    return (f"{file}: the transcript contains {describe_char(char)}{where}; remove it and upload the file "
            "again.")


def _json_control_char(data: Any) -> tuple[str, str] | None:
    """(where, the character) of the first string or key of parsed JSON holding a control
    character (an escaped one, such as `\\u0000`), or None."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        item, where = stack.pop()
        texts = [(item, where)] if isinstance(item, str) else []
        if isinstance(item, dict):
            texts = [(str(key), f"a key of {where or 'the top level'}") for key in item]
            stack.extend((child, f"{where}.{key}" if where else str(key)) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((item[i], f"{where}[{i}]") for i in reversed(range(len(item))))
        for text, place in texts:
            at = first_control_char(text, multiline=True)
            if at is not None:
                return place, text[at]
    return None


def read_vtt(path: str | Path, rep_name: str | None = None) -> Transcript:
    """Read a WebVTT transcript. Speakers come from `<v Name>` voice tags (Teams) or a
    "Name: " prefix (Zoom), get ids S1, S2... in order of first appearance and keep their name
    in `Speaker.name`. With `rep_name`, the speaker of that name (case-insensitive) is the rep and
    the others customers; otherwise (or when no speaker has that name, with a warning) roles are
    unknown. Raises `TranscriptParseError` for a malformed file, `EmptyInputError` without cues."""
    p, text = _read_text(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise TranscriptParseError(f"{p.name} is not WebVTT: its first line must be 'WEBVTT'.")
    ids: dict[str | None, str] = {}
    words: list[Word] = []
    turns: list[SpeakerTurn] = []
    duration = 0.0
    i = 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        block_start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        block = lines[block_start:i]
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise TranscriptParseError(
                f"{p.name} line {block_start + 1}: cue without a 'start --> end' line."
            )
        m = _TIMING.match(block[timing_at])
        line_no = block_start + timing_at + 1
        if m is None:
            raise TranscriptParseError(f"{p.name} line {line_no}: malformed cue timing '{block[timing_at]}'.")
        start = _parse_timestamp(m["start"], line_no, p)
        end = _parse_timestamp(m["end"], line_no, p)
        if end < start:
            raise TranscriptParseError(f"{p.name} line {line_no}: cue ends before it starts.")
        if end > MAX_TIME_S:
            raise TranscriptParseError(f"{p.name} line {line_no}: cue ends after {MAX_TIME_S / 3600:g} hours.")
        duration = max(duration, end)
        spans = _cue_spans("\n".join(block[timing_at + 1 :]))
        tokens = [(span.name, tok) for span in spans for tok in _clean(span.text)]
        if not tokens:
            continue
        for name, _ in tokens:
            ids.setdefault(name, f"S{len(ids) + 1}")
        timed = _interpolate([tok for _, tok in tokens], start, end)
        cue_words = [
            Word(start=w_start, end=w_end, word=tok, speaker=ids[name])
            for (name, _), (w_start, w_end, tok) in zip(tokens, timed, strict=True)
        ]
        words.extend(cue_words)
        turns.extend(merge_turns([SpeakerTurn(w.speaker, w.start, w.end) for w in cue_words]))
    if not words:
        raise EmptyInputError(f"{p.name} has no cues with text.")
    names = list(ids)
    roles = _roles(names, rep_name)
    speakers = [
        Speaker(id=sid, role=role, name=name or _UNNAMED, role_source=None if role == "unknown" else "name")
        for (name, sid), role in zip(ids.items(), roles, strict=True)
    ]
    warnings: list[str] = []
    if names == [None]:
        warnings.append(UNNAMED_VTT_WARNING.format(name=p.name))
    elif rep_name is not None and "rep" not in roles:
        shown = ", ".join(s.name or s.id for s in speakers)
        warnings.append(UNKNOWN_REP_WARNING.format(rep=rep_name, speakers=shown))
    words.sort(key=lambda w: (w.start, w.end))
    return Transcript(duration_s=duration, speakers=speakers, words=words, source="vtt", warnings=warnings,
                      speaker_turns=merge_turns(turns), language=text_language(words))


def text_language(words: list[Word]) -> str:
    """"zh" for a transcript written mostly in Chinese characters, else "en" (what a transcript's
    own text says about its language; recordings get theirs from the speech model)."""
    return "zh" if is_chinese_text(join_words([w.word for w in words])) else "en"


def transcript_from_json(data: Mapping[str, Any], rep_name: str | None = None) -> Transcript:
    """Rebuild the `Transcript` part ("speakers", "words", "speaker_turns", "duration_s", ...) of a
    Talktrack analysis JSON. Without "speaker_turns" (JSON written before they existed) the turns
    are derived from the words. With `rep_name`, roles are re-assigned by speaker name as in
    `read_vtt`. Raises `TranscriptParseError` when fields are missing or mistyped, or a word or
    turn names an unknown speaker."""
    try:
        speakers = [
            Speaker(
                id=str(s["id"]),
                role=_role(s.get("role", "unknown")),
                name=None if s.get("name") is None else str(s["name"]),
                channel=None if s.get("channel") is None else int(s["channel"]),
                role_confidence=None if s.get("role_confidence") is None else float(s["role_confidence"]),
                role_source=_role_source(s.get("role_source")),
            )
            for s in data["speakers"]
        ]
        words = [
            Word(
                start=_check_time(float(w["start"]), "word start"),
                end=_check_time(float(w["end"]), "word end"),
                word=str(w["word"]),
                speaker=str(w["speaker"]),
                probability=float(w.get("probability", 1.0)),
            )
            for w in data["words"]
        ]
        turns = [
            SpeakerTurn(
                speaker=str(t["speaker"]),
                start=_check_time(float(t["start"]), "turn start"),
                end=_check_time(float(t["end"]), "turn end"),
            )
            for t in data.get("speaker_turns") or []
        ]
        for t in turns:
            if t.end < t.start:
                raise ValueError(f"a turn of {t.speaker} ends ({t.end}) before it starts ({t.start})")
        for w in words:
            if w.end < w.start:
                raise ValueError(f"word {w.word!r} ends ({w.end}) before it starts ({w.start})")
            if not 0.0 <= w.probability <= 1.0:  # also false for NaN
                raise ValueError(f"word probability {w.probability!r} is not between 0 and 1")
        duration = _check_time(float(data.get("duration_s", max((w.end for w in words), default=0.0))),
                               "duration_s")
        has_timing = bool(data.get("has_timing", True))
        language = str(data.get("language") or text_language(words))
        warnings = [str(x) for x in data.get("warnings", [])]
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise TranscriptParseError(
            f"Not a Talktrack transcript JSON: missing or invalid field {exc}."
        ) from exc
    known = {s.id for s in speakers}
    unknown = sorted({w.speaker for w in words} - known)
    if unknown:
        raise TranscriptParseError(
            f"Transcript JSON has words by speakers not in 'speakers': {', '.join(unknown)}."
        )
    unknown = sorted({t.speaker for t in turns} - known)
    if unknown:
        raise TranscriptParseError(
            f"Transcript JSON has speaker_turns by speakers not in 'speakers': {', '.join(unknown)}."
        )
    if rep_name is not None:
        for speaker, role in zip(speakers, _roles([s.name for s in speakers], rep_name), strict=True):
            speaker.role, speaker.role_confidence = role, None
            speaker.role_source = None if role == "unknown" else "name"
    words.sort(key=lambda w: (w.start, w.end))
    return Transcript(
        duration_s=duration,
        speakers=speakers,
        words=words,
        source="json",
        has_timing=has_timing,
        language=language,
        warnings=warnings,
        speaker_turns=merge_turns(turns),
        speakers_note=speakers_note_from_json(data.get("speakers_note")),
    )


def speakers_note_from_json(value: object) -> SpeakersNote | None:
    """The analysis JSON's `speakers_note` ({"why", "fix"}, and `case` and `evidence` since they are
    kept), or None when absent or malformed. A note whose `case` or `evidence` is missing or not
    understood keeps its English without them (an older analysis): nothing is worded from guesses."""
    if not (isinstance(value, Mapping) and isinstance(value.get("why"), str) and isinstance(value.get("fix"), str)):
        return None
    case = next((c for c in COUNT_CASES if c == value.get("case")), None)
    evidence = _count_evidence(value.get("evidence"))
    if case is None or (evidence is None and value.get("evidence") is not None):
        return SpeakersNote(value["why"], value["fix"])
    return SpeakersNote(value["why"], value["fix"], case, evidence)


def _count_evidence(value: object) -> CountEvidence | None:
    """`speakers_note.evidence` of the analysis JSON, or None when absent or malformed."""
    if not isinstance(value, Mapping):
        return None
    voice_gap, pitch_gap, answered = (_finite(value.get(k)) for k in ("voice_gap", "pitch_gap", "answered"))
    turns, questions = _count(value.get("turns")), _count(value.get("questions"))
    if voice_gap is None or pitch_gap is None or answered is None or turns is None or questions is None:
        return None
    return CountEvidence(voice_gap, pitch_gap, turns, questions, answered)


def _finite(value: object) -> float | None:
    """A JSON number as a float, or None for anything else (a bool, a string, NaN)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _count(value: object) -> int | None:
    """A JSON count (a whole number, not negative), or None for anything else (a bool, a fraction)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _role(value: object) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise ValueError(f"role {value!r}")


def _role_source(value: object) -> RoleSource | None:
    if value is None:
        return None
    for source in ROLE_SOURCES:
        if value == source:
            return source
    raise ValueError(f"role_source {value!r}")


def read_transcript_json(path: str | Path, rep_name: str | None = None) -> Transcript:
    """`transcript_from_json` on the file at `path`."""
    p, text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptParseError(f"{p.name} is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    except RecursionError as exc:
        raise TranscriptParseError(f"{p.name} nests JSON too deeply to be a transcript.") from exc
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise TranscriptParseError(f"{p.name} is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise TranscriptParseError(f"{p.name} is not a Talktrack transcript JSON object.")
    found = _json_control_char(data)
    if found is not None:
        raise TranscriptParseError(_control_char_message(p.name, found[1], f" in {found[0]}"))
    return transcript_from_json(data, rep_name)


# ----------------------------------------------------------------------------------------------
# Writers


def _vtt_time(t: float) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _voice_name(speaker: Speaker) -> str:
    # Voice-tag annotations end at '>'; keep names readable and parseable.
    return (speaker.name or speaker.id).replace(">", "").replace("<", "").strip() or speaker.id


def write_vtt(transcript: Transcript, max_cue_words: int = 16) -> str:
    """WebVTT text with one cue per turn (long turns split every `max_cue_words` words) and a
    `<v Name>` voice tag per cue (the speaker's name, else its id), which `read_vtt` reads back."""
    names = {s.id: _voice_name(s) for s in transcript.speakers}
    out = ["WEBVTT", ""]
    for turn in transcript.turns:
        run = transcript.words[turn.word_start : turn.word_end]
        for k in range(0, len(run), max_cue_words):
            part = run[k : k + max_cue_words]
            text = html.escape(join_words([w.word for w in part]), quote=False)
            start, end = part[0].start, max(w.end for w in part)
            out += [
                f"{_vtt_time(start)} --> {_vtt_time(end)}",
                f"<v {names.get(turn.speaker, turn.speaker)}>{text}",
                "",
            ]
    return "\n".join(out)


def write_rttm(transcript: Transcript, uri: str) -> str:
    """Standard RTTM: one `SPEAKER <uri> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>` line
    per speaker turn (`Transcript.speaker_turns`, so overlapped speech has a line for each of its
    speakers over the same time); spaces in `uri` become underscores, as RTTM fields are
    space-separated."""
    file_id = re.sub(r"\s+", "_", uri.strip()) or "call"
    lines = [
        f"SPEAKER {file_id} 1 {turn.start:.3f} {max(turn.end - turn.start, 0.0):.3f} <NA> <NA> {turn.speaker} <NA> <NA>"
        for turn in transcript.speaker_turns
    ]
    return "\n".join(lines) + ("\n" if lines else "")
