"""Talktrack's transcription stage: a recording or transcript in, speaker-attributed words out.

The public API is listed in `__all__`. Heavy modules (PyAV, faster-whisper) are imported on
first use, so `import transcription.types` stays instant for the stages after this one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from transcription.errors import (
    AudioDecodeError,
    EmptyInputError,
    InputNotFoundError,
    ModelNotFoundError,
    TalktrackError,
    TranscriptParseError,
    UnsupportedFormatError,
)
from transcription.progress import ProgressHook, no_progress
from transcription.types import Speaker, SpeakerTurn, Transcript, Turn, Word, build_turns, join_words

if TYPE_CHECKING:
    from transcription.asr import AsrOptions, transcribe_samples
    from transcription.audio import AudioChunk, AudioInfo, iter_audio_chunks, load_audio, probe_audio
    from transcription.channels import ChannelReport, classify_channels
    from transcription.pipeline import TranscribeOptions, transcribe_file
    from transcription.transcript_io import (
        read_transcript_json,
        read_vtt,
        transcript_from_json,
        write_rttm,
        write_vtt,
    )

_LAZY: dict[str, str] = {
    "AsrOptions": "transcription.asr",
    "transcribe_samples": "transcription.asr",
    "AudioChunk": "transcription.audio",
    "AudioInfo": "transcription.audio",
    "iter_audio_chunks": "transcription.audio",
    "load_audio": "transcription.audio",
    "probe_audio": "transcription.audio",
    "ChannelReport": "transcription.channels",
    "classify_channels": "transcription.channels",
    "TranscribeOptions": "transcription.pipeline",
    "transcribe_file": "transcription.pipeline",
    "read_transcript_json": "transcription.transcript_io",
    "read_vtt": "transcription.transcript_io",
    "transcript_from_json": "transcription.transcript_io",
    "write_rttm": "transcription.transcript_io",
    "write_vtt": "transcription.transcript_io",
}

__all__ = [
    "AsrOptions",
    "AudioChunk",
    "AudioDecodeError",
    "AudioInfo",
    "ChannelReport",
    "EmptyInputError",
    "InputNotFoundError",
    "ModelNotFoundError",
    "ProgressHook",
    "Speaker",
    "SpeakerTurn",
    "TalktrackError",
    "TranscribeOptions",
    "Transcript",
    "TranscriptParseError",
    "Turn",
    "UnsupportedFormatError",
    "Word",
    "build_turns",
    "classify_channels",
    "iter_audio_chunks",
    "join_words",
    "load_audio",
    "no_progress",
    "probe_audio",
    "read_transcript_json",
    "read_vtt",
    "transcribe_file",
    "transcribe_samples",
    "transcript_from_json",
    "write_rttm",
    "write_vtt",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'transcription' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
