"""Live calls inside the server: one `LiveSession` per streaming call, one `LiveEngine` per process.

The WebSocket handler (`service/api/routes/live.py`) feeds a session PCM as it arrives. Voice
activity runs right there (cheap); every closed utterance goes to the engine's single worker
thread, which transcribes it (one Whisper model for all calls, one CPU thread per decoding:
measured faster than two, see `LiveAsrOptions.cpu_threads`), finds its questions and trackers, asks the live coach for prompts and publishes
the events to the live hub (`service/live/hub.py`: in memory, or in the shared Redis so that any
API process serves the call's events feed). The WebSocket and the polling endpoint
(`GET /v1/live/{id}/events?since=N`) read the same numbered stream from the hub.

A call's spoken language (`StartRequest.language`, else the `language` query parameter, else the
organization's default, else English: `service.api.routes.live.call_language`) picks its recogniser:
English goes to tiny.en exactly as before, Chinese (or any other language) to the multilingual
Whisper base with Simplified output, and `auto` lets the base model name it
(`transcription.live_asr.LiveLanguage`). The language stage reads each Chinese utterance with the
Chinese pipeline (`nlp.chinese`), as the offline analysis does.

The incoming audio is written to a WAV file in the audio store while it arrives; on `stop` (or a
dropped connection) that file becomes the call's original recording and the call is queued for
the same offline analysis as an upload. The audio and its recognition stay on the process that
accepted the WebSocket.
"""

from __future__ import annotations

import logging
import time
import wave
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, BinaryIO

from coaching.insights import InsightReport
from coaching.live import LiveCoach, LivePrompt, LiveRules
from coaching.playbook import Playbook
from coaching.suggestions import Utterance as CoachUtterance
from nlp.questions.context import RollingContext
from nlp.trackers import TrackerSet, load_trackers
from nlp.types import NextStep, Question
from service.domain.org_definitions import RepProfiles
from service.live.hub import LiveHub, Owner
from transcription.audio import SAMPLE_RATE
from transcription.languages import AUTO, ENGLISH, is_chinese, parse_language
from transcription.live_asr import LiveAsrOptions, LiveLanguage, UtteranceRecognizer
from transcription.streaming import LiveTranscriber, SpeechSegment, StreamingOptions, Utterance
from transcription.types import Speaker, Transcript

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 128 * 1024  # 2 s of 16 kHz stereo PCM; clients send 20-500 ms frames
# How much of a call's speech may wait for the recogniser before its audio intake waits too
# (backpressure: the socket is then read no faster than the call is transcribed). A real-time
# call never gets near it; a client streaming faster than real time is slowed down to the
# recogniser's pace instead of queueing its whole call in memory.
MAX_PENDING_SPEECH_S = 120.0
INGEST_THREADS = 4  # voice activity detection and WAV writing, off the event loop (all calls share them)
TICK_S = 1.0  # time-based nudges are checked once a second of stream audio


class LiveProtocolError(Exception):
    """A client broke the protocol. `code` goes into the `error` event, `close_code` is the
    WebSocket close code."""

    def __init__(self, code: str, message: str, close_code: int = 1008) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code


@dataclass(frozen=True, slots=True)
class StartRequest:
    """The client's `start` message."""

    sample_rate: int
    channels: int
    rep_channel: int | None
    rep: str | None = None
    rep_user_id: str | None = None
    title: str | None = None
    deal_id: str | None = None
    crm_ids: dict[str, str] = field(default_factory=dict)
    api_key: str | None = None
    language: str | None = None  # "auto", "en", "zh", ... (parsed); None: the query parameter or the org's default

    @classmethod
    def parse(cls, msg: Any) -> StartRequest:
        """Validate a decoded JSON message; raises `LiveProtocolError` with the reason."""
        if not isinstance(msg, dict) or msg.get("type") != "start":
            raise LiveProtocolError("bad_start", 'the first message must be {"type": "start", ...}')
        rate = msg.get("sample_rate")
        if rate != SAMPLE_RATE:
            raise LiveProtocolError("unsupported_sample_rate",
                                    f"sample_rate must be {SAMPLE_RATE} (16-bit PCM), not {rate!r}", 1003)
        channels = msg.get("channels", 1)
        if channels not in (1, 2) or isinstance(channels, bool):
            raise LiveProtocolError("unsupported_channels", f"channels must be 1 or 2, not {channels!r}", 1003)
        rep_channel = msg.get("rep_channel", 0 if channels == 2 else None)
        if rep_channel is not None and (rep_channel not in range(channels) or isinstance(rep_channel, bool)):
            raise LiveProtocolError("bad_start", f"rep_channel must be 0..{channels - 1} or null")
        crm = msg.get("crm_ids", {})
        if not isinstance(crm, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in crm.items()):
            raise LiveProtocolError("bad_start", "crm_ids must be an object of strings")
        text: dict[str, str | None] = {}
        for key, limit in (("rep", 200), ("rep_user_id", 32), ("title", 500), ("deal_id", 200), ("api_key", 200)):
            value = msg.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                raise LiveProtocolError("bad_start", f"{key} must be a string of at most {limit} characters")
            text[key] = value
        language = msg.get("language")
        if language is not None:
            language = parse_call_language(language)
        return cls(rate, channels, rep_channel, text["rep"], text["rep_user_id"], text["title"],
                   text["deal_id"], dict(crm), text["api_key"], language)


def parse_call_language(value: Any) -> str:
    """A live call's `language` (start message or query parameter) as `parse_language` reads it;
    `LiveProtocolError` `bad_start` saying what is accepted otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise LiveProtocolError("bad_start", "language must be a string of at most 40 characters")
    try:
        return parse_language(value)
    except ValueError as exc:
        raise LiveProtocolError("bad_start", f"language: {exc}") from exc


@lru_cache(maxsize=1)
def _default_trackers() -> TrackerSet:
    return load_trackers()


class LiveEngine:
    """The process-wide part of live calls: one Whisper model and one worker thread. (Which calls
    are live, their caps and their events are the live hub's: `service.live.hub`.)"""

    def __init__(self, streaming: StreamingOptions | None = None, asr: LiveAsrOptions | None = None,
                 *, models_dir: str | None = None) -> None:
        self.streaming = streaming or StreamingOptions()
        self.asr = asr or LiveAsrOptions(models_dir=models_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="talktrack-live")
        # Audio intake (`LiveSession.feed`) runs here, never on the event loop: voice activity
        # detection on a flood of frames would otherwise stall every request of the process.
        self.ingest_pool = ThreadPoolExecutor(max_workers=INGEST_THREADS, thread_name_prefix="talktrack-ingest")
        self._recognizer: UtteranceRecognizer | None = None
        self._multilingual: UtteranceRecognizer | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._pool.submit(fn, *args)

    def recognizer(self) -> UtteranceRecognizer:
        """The shared recogniser, loaded (and warmed up) on first use; call on the worker thread."""
        if self._recognizer is None:
            rec = UtteranceRecognizer(self.asr)
            rec.warm_up()
            from nlp.sentences import load_spacy

            load_spacy()
            _default_trackers()
            self._recognizer = rec
        return self._recognizer

    def multilingual(self) -> UtteranceRecognizer:
        """The shared multilingual recogniser (Whisper base: Chinese and every language but English),
        loaded (joined on first use, warmed up) when a call first needs it; call on the worker thread."""
        if self._multilingual is None:
            from nlp.sentences import load_spacy

            rec = UtteranceRecognizer(replace(self.asr, language="zh"))
            rec.warm_up()
            load_spacy()
            _default_trackers()
            self._multilingual = rec
        return self._multilingual

    def language(self, requested: str) -> LiveLanguage:
        """One call's language choice; loads what it needs now (on the worker thread, as the call
        starts): tiny.en for English, the base model (and the Chinese pipeline) for Chinese, both for
        `auto`. Raises `ModelNotFoundError` when the base model is not installed."""
        if requested in (ENGLISH, AUTO):
            self.recognizer()
        if requested != ENGLISH:
            self.multilingual()
        if is_chinese(requested):
            from nlp.chinese.pipeline import load_chinese

            load_chinese()
        return LiveLanguage(requested, self.recognizer, self.multilingual)

    def shutdown(self) -> None:
        """Stop the worker threads (drops queued utterances); call when the server stops."""
        self.ingest_pool.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)


class LiveSession:
    """One live call: audio in, numbered events out. `feed`/`finish` are called by the
    connection's task; the heavy work runs on the engine's worker thread."""

    def __init__(self, engine: LiveEngine, hub: LiveHub, call_id: str, owner: Owner, start: StartRequest,
                 sink: BinaryIO, *, rules: LiveRules | None = None, playbook: Playbook | None = None,
                 insights: InsightReport | None = None, held_out: bool = False,
                 rep_voice: RepProfiles | None = None, language: str = ENGLISH) -> None:
        self.engine = engine
        self.hub = hub
        self.call_id = call_id
        self.owner = owner
        self.start = start
        voice = rep_voice or RepProfiles()
        # The call's language as chosen ("en", "zh", "auto"): stored with the call; `self.language.language`
        # is the one `auto` settled on (None until then).
        self.language = engine.language(language)
        self.transcriber = LiveTranscriber(self.language, channels=start.channels,
                                           rep_channel=start.rep_channel, options=engine.streaming,
                                           rep_profiles=voice.profiles, profile_source=voice.source)
        self._roles_version = 0
        # Card selection: the team's insights decide the behaviour cards; a held-out call computes
        # and keeps its cards (`coach.cards`) but never sends them (see service/live/guidance.py).
        # Cards are worded in the call's language: the chosen one, or with `auto` English until an
        # utterance's language is known (`_process` keeps it up to date).
        self.coach = LiveCoach(rules, playbook, insights, language=self.language.language or ENGLISH)
        self.held_out = held_out
        # The call so far, for the question rules that read the previous sentence ("Right?" after
        # the speaker's own statement is a tag); used on the worker thread only.
        self.question_context = RollingContext()
        self.started_at: datetime | None = None
        self.frames_received = 0
        self.bytes_received = 0
        self._pending: list[Future[Any]] = []
        self._asr_backlog: list[tuple[Future[Any], float]] = []  # (utterance future, its speech seconds)
        self._last_tick: Future[Any] | None = None
        self._next_tick = TICK_S
        self._wav = wave.open(sink, "wb")  # noqa: SIM115 - closed in finish(); wave patches the sizes then
        self._wav.setnchannels(start.channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SAMPLE_RATE)
        self._sink = sink
        self._remainder = b""

    # -- audio in (connection task) ------------------------------------------------------------

    def _wait_for_recogniser(self) -> None:
        """Block while more than `MAX_PENDING_SPEECH_S` of this call's speech waits for the recogniser."""
        while True:
            self._asr_backlog = [(f, s) for f, s in self._asr_backlog if not f.done()]
            if sum(s for _, s in self._asr_backlog) <= MAX_PENDING_SPEECH_S:
                return
            wait([self._asr_backlog[0][0]])

    def feed(self, data: bytes) -> None:
        """Add one binary frame of interleaved 16-bit PCM. Blocking (voice activity detection, and a
        wait while `MAX_PENDING_SPEECH_S` of speech is queued for the recogniser): call it on the
        engine's `ingest_pool`, one frame at a time per session (`service.live.transport.FramePump`)."""
        self._wait_for_recogniser()
        self.frames_received += 1
        self.bytes_received += len(data)
        frame = 2 * self.start.channels
        buf = self._remainder + data
        usable = len(buf) - len(buf) % frame
        self._remainder = buf[usable:]
        self._wav.writeframesraw(buf[:usable])
        for seg in self.transcriber.feed_pcm16(data):
            future = self.engine.submit(self._process, seg, time.monotonic())
            self._pending.append(future)
            self._asr_backlog.append((future, seg.end_s - seg.start_s))
        now = self.transcriber.duration_s
        # One clock tick queued at a time: behind a busy recogniser they would pile up, one per second of audio.
        if now >= self._next_tick and (self._last_tick is None or self._last_tick.done()):
            self._next_tick = now + TICK_S
            self._last_tick = self.engine.submit(self._tick, now)
            self._pending.append(self._last_tick)
        self._pending = [f for f in self._pending if not f.done()]

    def finish(self) -> float:
        """End of audio: transcribe what is still open, wait for every pending utterance, close
        the WAV file. Blocking (call it off the event loop). Returns the call's duration."""
        for seg in self.transcriber.finish():
            self._pending.append(self.engine.submit(self._process, seg, time.monotonic()))
        for f in self._pending:
            try:
                f.result()
            except Exception:  # one bad utterance must not lose the call
                log.exception("live call %s: an utterance failed", self.call_id)
        self._pending = []
        self._wav.close()
        self._sink.close()
        self.coach.finish(self.transcriber.duration_s)
        return self.transcriber.duration_s

    # -- worker thread -----------------------------------------------------------------------------

    def _process(self, seg: SpeechSegment, closed_at: float) -> None:
        began = time.monotonic()
        try:
            u = self.transcriber.transcribe(seg)
        except Exception:
            log.exception("live call %s: transcription failed", self.call_id)
            self.publish({"type": "error", "code": "transcription_failed",
                          "message": f"the utterance at {seg.start_s:.1f} s could not be transcribed"})
            return
        if u is None:
            return
        questions, trackers, steps = _language(u, self.transcriber.speakers, self.question_context)
        if self.transcriber.roles_version != self._roles_version:  # a voice profile re-decided the roles
            self._roles_version = self.transcriber.roles_version
            self.publish({"type": "speakers", "at": u.end, "speakers": [
                {"speaker": s.id, "role": s.role, "role_source": self.transcriber.role_sources.get(s.id),
                 "role_confidence": s.role_confidence} for s in self.transcriber.speakers]})
        self.publish({
            "type": "utterance", "index": u.index, "speaker": u.speaker, "role": u.role, "channel": u.channel,
            "role_source": u.role_source, "role_confidence": u.role_confidence,
            "start": u.start, "end": u.end, "text": u.text, "confidence": u.confidence, "language": u.language,
            "questions": [{"text": q.text, "type": q.type} for q in questions], "trackers": sorted(trackers),
            "next_steps": [{"text": n.text, "action": n.action, "date_phrase": n.date_phrase} for n in steps],
            # Where the server's share of the latency went: waiting behind other utterances, then work
            # (`speaker_s` of it: finding the speaker, the CAM++ embedding on mono).
            "timing": {"closed_at": round(seg.closed_at_s, 3), "queued_s": round(began - closed_at, 3),
                       "processing_s": round(time.monotonic() - began, 3), "speaker_s": u.speaker_s},
        })
        cu = CoachUtterance(u.speaker, u.role, u.start, u.end, u.text, frozenset(trackers))
        # `auto`: the language the call settled on, else the one this utterance was heard in.
        self.coach.language = self.language.language or u.language
        for prompt in self.coach.add_utterance(cu, [q.type for q in questions]):
            self._suggest(prompt, u.index)
        self.publish({"type": "metrics", "at": round(u.end, 2), **self.coach.metrics.to_dict()})

    def _tick(self, now: float) -> None:
        for prompt in self.coach.tick(now):
            self._suggest(prompt, None)

    def _suggest(self, prompt: LivePrompt, utterance: int | None) -> None:
        """Send a card, unless the call is held out (the coach has recorded it either way)."""
        if not self.held_out:
            self.publish({"type": "suggestion", **prompt.to_dict(), "utterance": utterance})

    # -- events out --------------------------------------------------------------------------------

    def publish(self, event: dict[str, Any]) -> None:
        """Number the event and add it to the call's feed in the live hub. Thread-safe; blocking
        (a Redis round trip with a shared hub): call it off the event loop."""
        self.hub.publish(self.call_id, event)

    def end(self, event: dict[str, Any]) -> None:
        """Publish the final event; readers stop after it."""
        self.hub.end(self.call_id, event)


def _language(u: Utterance, speakers: list[Speaker],
              context: RollingContext | None = None) -> tuple[list[Question], set[str], list[NextStep]]:
    """Countable questions (text, type), tracker names and next steps in one utterance: the offline
    language stage on a one-utterance transcript, phrase trackers only (embeddings would cost
    latency); a Chinese utterance goes through the Chinese pipeline (`nlp.chinese`) as offline.
    `context` holds the call's earlier sentences for the question rules that look back."""
    from nlp.language import analyze_language

    if not u.words:
        return [], set(), []
    roles = [Speaker(id=s.id, role=s.role) for s in speakers if s.id == u.speaker] or [Speaker(id=u.speaker, role=u.role)]
    transcript = Transcript(duration_s=u.end, speakers=roles, words=u.words, source="audio-stereo")
    found = analyze_language(transcript, trackers=_default_trackers(), semantic=False, question_context=context)
    return found.questions, {h.tracker for h in found.trackers}, found.next_steps
