"""Decoding real recordings in every supported container, chunked, and bad input."""

from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from tests.datafiles import SHARED_DATA
from transcription.audio import SAMPLE_RATE, iter_audio_chunks, load_audio, probe_audio
from transcription.errors import AudioDecodeError, EmptyInputError, InputNotFoundError, UnsupportedFormatError

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3")

# file -> (channels, seconds), from tests/data/NOTICE.md
EXPECTED = {
    "jfk.flac": (2, 11.0),
    "stereo_diarization.wav": (2, 5.0),
    "2412-153948-0000.flac": (1, 11.66),
    "LJ002-0020.wav": (1, 1.54),
    "LJ002-0035.wav": (1, 1.60),
    "ES2011a.Headset-0-40s-46s.wav": (1, 6.0),
}


def test_every_vendored_recording_decodes(asr_dir: Path) -> None:
    files = sorted(p for p in asr_dir.iterdir() if p.suffix in AUDIO_SUFFIXES)
    assert {p.name for p in files} >= set(EXPECTED)
    for path in files:
        samples = load_audio(path)
        info = probe_audio(path)
        assert samples.dtype == np.float32
        assert samples.shape[0] == info.channels
        assert abs(samples.shape[1] / SAMPLE_RATE - info.duration_s) < 0.06, path.name
        assert 0.1 < float(np.abs(samples).max()) <= 1.0, path.name
        if path.name in EXPECTED:
            channels, seconds = EXPECTED[path.name]
            assert info.channels == channels, path.name
            assert info.duration_s == pytest.approx(seconds, abs=0.02), path.name


def test_probe_reports_native_rate(asr_dir: Path) -> None:
    assert probe_audio(asr_dir / "jfk.flac").sample_rate == 44100
    assert probe_audio(asr_dir / "LJ002-0020.wav").sample_rate == 22050


def test_probe_names_the_container_from_the_bytes(asr_dir: Path, tmp_path: Path) -> None:
    assert probe_audio(asr_dir / "jfk.flac").container == "flac"
    assert probe_audio(asr_dir / "LJ002-0020.wav").container == "wav"
    misnamed = tmp_path / "actually-flac.wav"  # the name does not decide: the bytes do
    misnamed.write_bytes((asr_dir / "jfk.flac").read_bytes())
    assert probe_audio(misnamed).container == "flac"


@pytest.mark.needs_shared_data
def test_real_mp3_decodes() -> None:
    """A real MP3 (60 s, 24 kHz mono) from the evaluation set: its origin is undocumented, so it is not vendored."""
    path = SHARED_DATA / "asr" / "multilingual.mp3"
    info = probe_audio(path)
    assert info.codec.startswith("mp3")
    assert (info.channels, info.sample_rate) == (1, 24000)
    assert info.duration_s == pytest.approx(59.9, abs=0.02)
    assert load_audio(path).shape[1] / SAMPLE_RATE == pytest.approx(info.duration_s, abs=0.06)


def _encode(samples: np.ndarray, path: Path, codec: str, rate: int) -> None:
    """Write `samples` (channels, n) at 16 kHz to `path` with PyAV's encoder `codec` at `rate`."""
    layout = "stereo" if samples.shape[0] == 2 else "mono"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=layout)
        frame.sample_rate = SAMPLE_RATE
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate)
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


FORMATS = [
    ("wav", "pcm_s16le", 8000),
    ("flac", "flac", 32000),
    ("mp3", "libmp3lame", 44100),
    ("m4a", "aac", 48000),
    ("aac", "aac", 22050),
    ("ogg", "libopus", 48000),
    ("opus", "libopus", 48000),
    ("webm", "libopus", 48000),
    ("mp4", "aac", 44100),
]


@pytest.mark.parametrize("stereo", [False, True], ids=["mono", "stereo"])
@pytest.mark.parametrize(("ext", "codec", "rate"), FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_decodes_to_16k(
    asr_dir: Path, tmp_path: Path, ext: str, codec: str, rate: int, stereo: bool
) -> None:
    source = load_audio(asr_dir / "jfk.flac")  # 11 s, stereo
    clip = source if stereo else source[:1]
    path = tmp_path / f"jfk.{ext}"
    _encode(clip, path, codec, rate)
    decoded = load_audio(path)
    assert decoded.shape[0] == clip.shape[0]
    # Codec priming and padding add at most a few frames (raw ADTS AAC: about 50 ms).
    assert abs(decoded.shape[1] - clip.shape[1]) < 0.1 * SAMPLE_RATE
    # Same loudness after the round trip: the signal survived, not just the length.
    n = min(decoded.shape[1], clip.shape[1])
    rms_in = float(np.sqrt(np.mean(clip[:, :n] ** 2)))
    rms_out = float(np.sqrt(np.mean(decoded[:, :n] ** 2)))
    assert rms_out == pytest.approx(rms_in, rel=0.1)


def test_chunks_are_contiguous_and_equal_whole(asr_dir: Path) -> None:
    path = asr_dir / "2412-153948-0000.flac"
    whole = load_audio(path)
    chunks = list(iter_audio_chunks(path, chunk_s=2.5))
    assert [c.offset_s for c in chunks] == [2.5 * i for i in range(len(chunks))]
    assert all(c.samples.shape[1] == 40000 for c in chunks[:-1])
    assert np.array_equal(np.concatenate([c.samples for c in chunks], axis=1), whole)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="not found"):
        load_audio(tmp_path / "nope.wav")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    with pytest.raises(EmptyInputError, match="empty"):
        load_audio(path)


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not audio")
    with pytest.raises(UnsupportedFormatError, match="Unsupported file type '.txt'"):
        probe_audio(path)


def test_garbage_with_audio_extension(tmp_path: Path) -> None:
    path = tmp_path / "garbage.wav"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(AudioDecodeError, match="garbage.wav"):
        load_audio(path)


def test_truncated_flac(asr_dir: Path, tmp_path: Path) -> None:
    data = (asr_dir / "jfk.flac").read_bytes()
    path = tmp_path / "cut.flac"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioDecodeError, match="truncated"):
        load_audio(path)


def test_container_without_audio_track(tmp_path: Path) -> None:
    path = tmp_path / "video_only.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(UnsupportedFormatError, match="no audio track"):
        probe_audio(path)


def test_wav_header_without_frames(tmp_path: Path) -> None:
    path = tmp_path / "header_only.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
    with pytest.raises(EmptyInputError, match="no audio samples"):
        load_audio(path)


def test_memory_stays_flat_on_a_long_file(asr_dir: Path, tmp_path: Path) -> None:
    """20 minutes decode to 77 MB of float32; streaming them must hold only a block at a time."""
    speech = load_audio(asr_dir / "2412-153948-0000.flac")[0]
    path = tmp_path / "long.wav"
    minutes = 20
    pcm = (np.clip(speech[::2], -1, 1) * 32767).astype("<i2").tobytes()  # 8 kHz
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        seconds = 0.0
        while seconds < minutes * 60:
            out.writeframes(pcm)
            seconds += len(pcm) / 2 / 8000
    tracemalloc.start()
    try:
        total = 0
        for chunk in iter_audio_chunks(path, chunk_s=30.0):
            total += chunk.samples.shape[1]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total / SAMPLE_RATE >= minutes * 60
    assert peak < 12 * 2**20, f"peak {peak / 2**20:.1f} MiB"  # a 30 s block is 1.9 MiB
