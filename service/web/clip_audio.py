"""A clip's audio: only its span of the call's recording, decoded and cut here, so a player given a
clip cannot play a moment outside it (there is nothing else in the bytes it is sent).

The span is decoded with PyAV from a key frame before its start (a seek, not the whole call), kept
at the analysis' 16 kHz with the recording's channels (two stay two: one speaker per channel on
dialer recordings), and sent as 16-bit WAV. A 15-minute clip is 29 MB (58 MB in stereo). The cuts
last asked for are kept in memory (`CACHE_BYTES` in all), since a browser's player asks for a file
in several ranges.
"""

from __future__ import annotations

import io
import threading
import wave
from collections import OrderedDict
from pathlib import Path

import av

from service.core.i18n import N_

RATE = 16000
CACHE_BYTES = 128 * 1024 * 1024
_SEEK_MARGIN_S = 1.0


class ClipAudioError(Exception):
    """The recording could not be decoded (it was decoded once by the analysis: rare)."""


def cut_wav(path: Path, start_s: float, end_s: float) -> bytes:
    """The recording's `start_s`..`end_s` as a 16 kHz 16-bit WAV (mono, or stereo for two channels)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ClipAudioError(N_("the recording has no audio stream"))
            stream = container.streams.audio[0]
            channels = 2 if stream.channels == 2 else 1
            resampler = av.AudioResampler(format="s16", layout="stereo" if channels == 2 else "mono", rate=RATE)
            if start_s > _SEEK_MARGIN_S and stream.time_base:
                container.seek(int((start_s - _SEEK_MARGIN_S) / stream.time_base), stream=stream)
            first, last = round(start_s * RATE), round(end_s * RATE)
            at: int | None = None  # the sample index (call time) of the first decoded sample
            pcm = bytearray()
            width = 2 * channels
            for frame in container.decode(stream):
                if at is None:
                    at = round((frame.time or 0.0) * RATE)
                for out in resampler.resample(frame):
                    pcm += out.to_ndarray().tobytes()
                if at + len(pcm) // width >= last:
                    break
            else:
                for out in resampler.resample(None):
                    pcm += out.to_ndarray().tobytes()
    except av.error.FFmpegError as exc:
        raise ClipAudioError(N_("the recording could not be decoded (%(error)s)", error=str(exc))) from exc
    at = at or 0
    lo, hi = max(0, first - at) * width, max(0, last - at) * width
    body = bytes(pcm[lo:hi])
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(body)
    return buf.getvalue()


class _Cuts:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: OrderedDict[tuple[str, float, float], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, float, float]) -> bytes | None:
        with self.lock:
            data = self.items.get(key)
            if data is not None:
                self.items.move_to_end(key)
            return data

    def put(self, key: tuple[str, float, float], data: bytes) -> None:
        with self.lock:
            self.items[key] = data
            while sum(len(v) for v in self.items.values()) > self.limit and len(self.items) > 1:
                self.items.popitem(last=False)


CUTS = _Cuts(CACHE_BYTES)
