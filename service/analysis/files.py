"""The one place that wires the stages: a file (recording or transcript) in, a `CallAnalysis` out.

Used by `talktrack analyze`, the job worker and the live-call finaliser alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.analysis import CallAnalysis, analyze_transcript
from transcription.display import hours_minutes
from transcription.errors import EmptyInputError, InputNotFoundError, TalktrackError, UnsupportedFormatError
from transcription.progress import ProgressHook, no_progress
from transcription.types import Transcript

if TYPE_CHECKING:
    from nlp.brief.types import CallDateSource
    from nlp.trackers import TrackerSet
    from transcription.voiceprint import VoiceProfile


@dataclass(frozen=True, slots=True)
class AnalyzeOptions:
    """What a user can choose per call. `rep_channel`: 0 = left, 1 = right (stereo recordings with
    one speaker per channel). `rep_name`: the rep's name as it appears in a transcript's speaker tags
    or in an enrolled voice profile. `num_speakers`: how many people the call has (mono), a prior
    (`TranscribeOptions.num_speakers`); `force_speakers`: force it instead. `default_speakers`: the
    prior for calls without a hint (None: the server's `TALKTRACK_CALL_SPEAKERS`, 2; 0: none).
    `model`: a local CTranslate2 Whisper folder instead of the bundled ones. `language`: the spoken
    language of a recording, "auto" (detected, `transcription.routing`) or a Whisper code ("en": the
    bundled tiny.en; others: the multilingual Whisper base). `profiles`: enrolled
    reps' voice profiles; on mono recordings the speaker matching one becomes that rep.
    `uploader`: the name of the rep user the upload names (the call's owner, when a rep): their voice
    profile or speaker name picks the rep when no stronger evidence does (`transcription.roles`).
    `trackers`: tracker definitions (None: the built-in set, `nlp/trackers.yaml`). `vocabulary`: product,
    company and competitor names for the speech recogniser (`transcription.vocabulary`).
    `max_audio_s`: a longer recording fails with `AudioTooLongError` (the server's
    `TALKTRACK_MAX_AUDIO_S`; None: no limit, as on the command line). `call_date`: the day the call
    took place, which the brief's due dates resolve against, and `call_date_source` where it came
    from ("recorded_at": the upload, "argument": `--date`, "file": the file's time); None leaves
    due dates null."""

    rep_channel: int = 0
    rep_name: str | None = None
    num_speakers: int | None = None
    force_speakers: bool = False
    default_speakers: int | None = None
    model: str | None = None
    language: str = "en"
    profiles: tuple[VoiceProfile, ...] = ()
    uploader: str | None = None
    trackers: TrackerSet | None = None
    vocabulary: tuple[str, ...] = ()
    max_audio_s: float | None = None
    call_date: dt.date | None = None
    call_date_source: CallDateSource | None = None


class AudioTooLongError(TalktrackError):
    """A recording over the server's length limit (`AnalyzeOptions.max_audio_s`)."""


def _too_long(length: str, limit_s: float) -> AudioTooLongError:
    return AudioTooLongError(f"the recording is {length} long; this server accepts at most "
                             f"{hours_minutes(limit_s)} (TALKTRACK_MAX_AUDIO_S)")


def capped_length(path: Path, limit_s: float, hook: ProgressHook) -> ProgressHook:
    """Refuse a recording over `limit_s` before any decoding, by the duration its header declares;
    the returned hook refuses it as soon as the decoded audio passes the limit (a header that
    understates the length)."""
    from transcription.audio import probe_audio

    declared = probe_audio(path).duration_s
    if declared > limit_s:
        raise _too_long(hours_minutes(declared), limit_s)

    def capped(step: str, *, completed: float, total: float | None) -> None:
        if step == "decode" and completed > limit_s:
            raise _too_long(f"more than {hours_minutes(limit_s)}", limit_s)
        hook(step, completed=completed, total=total)

    return capped


def analyze_path(path: Path, options: AnalyzeOptions, hook: ProgressHook = no_progress) -> CallAnalysis:
    """Analyse a recording or a transcript file. Raises `TalktrackError` subclasses on bad input."""
    transcript = load_transcript(path, options, hook)
    hook("analyze", completed=0, total=1)
    analysis = analyze_transcript(transcript, trackers=options.trackers, call_date=options.call_date,
                                  call_date_source=options.call_date_source)
    hook("analyze", completed=1, total=1)
    return analysis


def load_transcript(path: Path, options: AnalyzeOptions, hook: ProgressHook = no_progress) -> Transcript:
    """Turn a recording (transcribe + speakers) or a transcript file into a `Transcript`."""
    from transcription.transcript_io import read_transcript_json, read_vtt

    if path.is_dir():
        raise InputNotFoundError(f"{path} is a directory; give one recording or transcript file "
                                 "(for a folder of calls with outcomes, use `talktrack insights`)")
    if not path.is_file():
        raise InputNotFoundError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise EmptyInputError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".vtt", ".json"):
        read = read_vtt if suffix == ".vtt" else read_transcript_json
        transcript = read(path, rep_name=options.rep_name)
        if options.uploader:
            from transcription.roles import assign_roles

            transcript = assign_roles(transcript, rep_name=options.rep_name, uploader=options.uploader)
        return transcript
    # Imported here: a transcript needs no audio decoder, speech recogniser or diarization.
    from transcription.audio import AUDIO_EXTENSIONS

    if suffix not in AUDIO_EXTENSIONS:
        audio = ", ".join(sorted(e.lstrip(".") for e in AUDIO_EXTENSIONS))
        raise UnsupportedFormatError(
            f"Unsupported file type '{suffix or '(none)'}' for {path.name}; Talktrack reads recordings "
            f"({audio}) and transcripts (vtt: WebVTT with <v Name> voice tags; json: Talktrack's analysis JSON)."
        )
    from transcription.asr import AsrOptions
    from transcription.pipeline import TranscribeOptions, transcribe_file

    if options.max_audio_s is not None:
        hook = capped_length(path, options.max_audio_s, hook)
    return transcribe_file(
        path,
        TranscribeOptions(
            rep_channel=options.rep_channel,
            rep_name=options.rep_name,
            num_speakers=options.num_speakers,
            force_speakers=options.force_speakers and options.num_speakers is not None,
            default_speakers=_default_speakers(options),
            model=options.model,
            profiles=options.profiles,
            uploader=options.uploader,
            asr=AsrOptions(vocabulary=options.vocabulary, language=options.language,
                           models_dir=str(_models_dir()), compute_type=_compute_type()),
        ),
        hook,
    )


def _models_dir() -> Path:
    """Where the multilingual speech model is joined on first use: `models` in the data directory."""
    from service.core.config import Settings

    return Settings().data_dir / "models"


def _compute_type() -> str | None:
    """The arithmetic of offline speech recognition (`TALKTRACK_ASR_COMPUTE_TYPE`; None: each model's own)."""
    from service.core.config import Settings

    return Settings().asr_compute_type


def _default_speakers(options: AnalyzeOptions) -> int | None:
    """The speaker-count prior of a call without a hint: the options' own, else the server's."""
    from service.core.config import Settings

    n = options.default_speakers if options.default_speakers is not None else Settings().call_speakers
    return n or None


def local_voice_profiles(directory: Path | None = None) -> tuple[VoiceProfile, ...]:
    """The voice profiles enrolled with `talktrack enroll` (default folder: `profiles` in the data
    directory, see `talktrack info`); none when the folder does not exist."""
    from service.core.config import Settings
    from transcription.voiceprint import FileProfileStore

    return tuple(FileProfileStore(directory or Settings().profiles_dir).list())
