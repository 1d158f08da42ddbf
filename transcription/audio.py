"""Decode any recording to 16 kHz float32 with its channels kept apart, in bounded memory.

PyAV (installed with faster-whisper, it bundles FFmpeg) reads wav, flac, mp3, m4a/aac, ogg/opus,
webm and the audio track of mp4. `iter_audio_chunks` streams a file as fixed-length blocks, so an
hour-long call never sits in memory whole; `load_audio` is the convenience for short clips.

Bad input raises one of `transcription.errors` with one sentence a user can act on:
missing -> `InputNotFoundError`, zero bytes or no audio frames -> `EmptyInputError`, unknown
extension or no audio stream -> `UnsupportedFormatError`, undecodable or truncated ->
`AudioDecodeError`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from transcription.errors import (
    AudioDecodeError,
    EmptyInputError,
    InputNotFoundError,
    UnsupportedFormatError,
)

SAMPLE_RATE = 16000
"""The rate every decoded sample array has (what Whisper, Silero and Resemblyzer expect)."""

AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".wav",
        ".wave",
        ".flac",
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".webm",
        ".mp4",
        ".mkv",
        ".mka",
        ".mov",
    }
)

# A file that decodes to less than this share of the duration its header declares was cut off.
_TRUNCATION_RATIO = 0.9

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What a recording holds, from its header. `duration_s` is the container's estimate
    (exact for wav/flac, close for compressed formats); `channels` is what decoding yields
    (recordings with more than two channels are mixed down to one); `container` is the name of
    the FFmpeg demuxer that read it, found from its bytes, whatever the file is called ("wav",
    "mp3", "flac", "ogg", "matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2", ...)."""

    duration_s: float
    channels: int
    sample_rate: int
    codec: str
    container: str


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A block of decoded audio: `samples` has shape (channels, n) at 16 kHz, float32 in [-1, 1];
    `offset_s` is the time of its first sample from the start of the file."""

    samples: FloatArray
    offset_s: float

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[1] / SAMPLE_RATE)


def check_audio_path(path: str | Path) -> Path:
    """Return `path` as a Path if it names a non-empty file with an audio extension, else raise."""
    p = Path(path)
    if p.is_dir():
        raise InputNotFoundError(f"{p} is a directory; give one audio file")
    if not p.is_file():
        raise InputNotFoundError(f"Audio file not found: {p}")
    if p.stat().st_size == 0:
        raise EmptyInputError(f"Audio file is empty (0 bytes): {p}")
    if p.suffix.lower() not in AUDIO_EXTENSIONS:
        supported = ", ".join(sorted(e.lstrip(".") for e in AUDIO_EXTENSIONS))
        raise UnsupportedFormatError(
            f"Unsupported file type '{p.suffix or '(none)'}' for {p.name}; audio formats read are: {supported}."
        )
    return p


def ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    """FFmpeg's own words for an error, without PyAV's "[Errno 1094995529]" and the file path."""
    reason = exc.strerror if isinstance(exc.strerror, str) and exc.strerror else str(exc)
    return f"FFmpeg: {reason.rstrip('.')}"


def _open(p: Path) -> av.container.InputContainer:
    try:
        return av.open(str(p), mode="r")
    except av.error.FFmpegError as exc:
        raise AudioDecodeError(
            f"Cannot decode {p.name}: it is not valid audio or it is corrupt ({ffmpeg_reason(exc)})."
        ) from exc


def _audio_stream(container: av.container.InputContainer, p: Path) -> av.audio.stream.AudioStream:
    if not container.streams.audio:
        raise UnsupportedFormatError(f"{p.name} has no audio track.")
    return container.streams.audio[0]


def _declared_duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _wav_declared_duration(p: Path) -> float:
    """The duration a RIFF/WAVE header's `data` chunk declares (its byte count over the format's
    byte rate), or 0.0 when the file is not WAV or leaves the size open (0 or 0xFFFFFFFF, as
    streaming writers do). FFmpeg clamps the declared size to the file, so a WAV cut short would
    otherwise decode as a short, complete recording."""
    byte_rate = 0
    with open(p, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0.0
        for _ in range(64):  # a WAV has a handful of chunks before its data
            chunk = f.read(8)
            if len(chunk) < 8:
                return 0.0
            cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                fmt = f.read(min(size, 16))
                if len(fmt) >= 12:
                    byte_rate = struct.unpack("<I", fmt[8:12])[0]
                f.seek(size - len(fmt) + (size & 1), 1)
            elif cid == b"data":
                if size in (0, 0xFFFFFFFF) or byte_rate <= 0:
                    return 0.0
                return float(size / byte_rate)
            else:
                f.seek(size + (size & 1), 1)
    return 0.0


def _output_channels(stream: av.audio.stream.AudioStream) -> int:
    # Two channels are kept apart (one speaker per channel on dialer recordings); more than
    # two (surround video tracks) carry no such convention, so they are mixed to mono.
    return 2 if stream.channels == 2 else 1


def probe_audio(path: str | Path) -> AudioInfo:
    """Read a recording's header: duration, channels (after decoding rules), native rate, codec."""
    p = check_audio_path(path)
    with _open(p) as container:
        stream = _audio_stream(container, p)
        return AudioInfo(
            duration_s=_declared_duration(container, stream),
            channels=_output_channels(stream),
            sample_rate=int(stream.rate or 0),
            codec=stream.codec_context.name,
            container=container.format.name,
        )


def iter_audio_chunks(path: str | Path, chunk_s: float = 60.0) -> Iterator[AudioChunk]:
    """Decode `path` to 16 kHz float32 and yield it as consecutive blocks of `chunk_s` seconds
    (the last one shorter). Memory holds one block plus one decoder frame, whatever the length.

    Raises the errors listed in the module docstring; a truncated file raises
    `AudioDecodeError` after its last good block.
    """
    if chunk_s <= 0:
        raise ValueError("chunk_s must be positive")
    p = check_audio_path(path)
    block_n = max(1, int(round(chunk_s * SAMPLE_RATE)))
    with _open(p) as container:
        stream = _audio_stream(container, p)
        n_channels = _output_channels(stream)
        declared = max(_declared_duration(container, stream), _wav_declared_duration(p))
        resampler = av.AudioResampler(
            format="fltp", layout="stereo" if n_channels == 2 else "mono", rate=SAMPLE_RATE
        )
        pending: list[FloatArray] = []
        pending_n = 0
        emitted_n = 0

        def frames() -> Iterator[FloatArray]:
            try:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        yield out.to_ndarray().astype(np.float32, copy=False)
                for out in resampler.resample(None):
                    yield out.to_ndarray().astype(np.float32, copy=False)
            except av.error.FFmpegError as exc:
                raise AudioDecodeError(
                    f"Cannot decode {p.name}: the file is truncated or corrupt ({ffmpeg_reason(exc)})."
                ) from exc

        for array in frames():
            pending.append(array.reshape(n_channels, -1))
            pending_n += array.shape[-1]
            while pending_n >= block_n:
                joined = np.concatenate(pending, axis=1)
                yield AudioChunk(np.ascontiguousarray(joined[:, :block_n]), emitted_n / SAMPLE_RATE)
                emitted_n += block_n
                rest = joined[:, block_n:]
                pending, pending_n = ([rest], rest.shape[1]) if rest.shape[1] else ([], 0)
        if pending_n:
            yield AudioChunk(np.ascontiguousarray(np.concatenate(pending, axis=1)), emitted_n / SAMPLE_RATE)
            emitted_n += pending_n
    if emitted_n == 0:
        raise EmptyInputError(f"{p.name} contains no audio samples.")
    decoded_s = emitted_n / SAMPLE_RATE
    if declared > 1.0 and decoded_s < _TRUNCATION_RATIO * declared:
        raise AudioDecodeError(
            f"{p.name} is truncated: its header declares {declared:.1f} s but only {decoded_s:.1f} s decode."
        )


def load_audio(path: str | Path) -> FloatArray:
    """Decode a whole (short) recording: shape (channels, n), 16 kHz float32. Prefer
    `iter_audio_chunks` for calls, which can be hours long."""
    blocks = [c.samples for c in iter_audio_chunks(path, chunk_s=600.0)]
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))
