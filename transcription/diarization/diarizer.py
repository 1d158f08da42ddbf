"""Mono diarization of a stream: speech regions -> window embeddings -> clusters -> turns.

`Diarizer` takes contiguous 16 kHz mono chunks of any size through `add_audio()` and analyses
them in blocks of `params.block_s`; between blocks it keeps only the still-open speech region's
samples, and over the whole call only one small record per embedding window (256 floats) and one
per speech region. `finish()` clusters the windows and re-segments every region.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .clustering import cluster_embeddings, normalise_rows
from .encoder import EMBEDDING_SIZE, FRAME_CENTRE_S, FRAMES_PER_SECOND, SpeakerEncoder, get_encoder
from .params import SAMPLE_RATE, DiarizationParams
from .pitch import frame_log_f0, penalty, smooth_log_f0, speaker_log_f0, window_log_f0
from .resegment import FRAME_S, label_region
from .speech import SpeechDetector, speech_runs

FloatArray = npt.NDArray[np.float32]
RESEMBLYZER_ID = "resemblyzer-ge2e-256"  # `voiceprint.LEGACY_ENCODER`: profiles made by this encoder


@dataclass(frozen=True)
class SpeakerSegment:
    """One speaker turn: `speaker` ("S1", "S2", ... in order of first appearance) spoke from
    `start` to `end` seconds.

    `overlap` marks a second voice talking over another speaker's turn (overlapped speech). Turns
    with `overlap=False` never overlap each other and give each moment its dominant speaker; the
    overlap turns come on top (never over the same speaker's own turns) and are what a
    diarization error rate that scores overlapped speech needs. Word assignment ignores them.
    """

    start: float
    end: float
    speaker: str
    overlap: bool = False


class Diarizer:
    """Streaming mono diarizer. Feed `add_audio()` contiguous chunks, then call `finish()` once.

    After `finish()`, `speaker_embeddings` maps each speaker id to its centroid embedding
    (L2-normalised, Resemblyzer space), which `transcription.roles.assign_roles` matches against
    enrolled voice profiles.
    """

    def __init__(
        self,
        params: DiarizationParams = DiarizationParams(),  # noqa: B008  (frozen, safe as default)
        num_speakers: int | None = None,
        encoder: SpeakerEncoder | None = None,
    ) -> None:
        if num_speakers is not None and num_speakers < 1:
            raise ValueError("num_speakers must be at least 1")
        self.params = params
        self.num_speakers = num_speakers
        self.speaker_embeddings: dict[str, FloatArray] = {}
        self.encoder_id = RESEMBLYZER_ID
        self._encoder = encoder or get_encoder()
        self._chunks: list[FloatArray] = []
        self._buffered = 0
        self._buf_start_s: float | None = None
        self._regions: list[tuple[float, float]] = []
        self._win_region: list[int] = []
        self._win_centre: list[float] = []
        self._win_weight: list[float] = []
        self._win_f0: list[float] = []  # median log2-F0 per window (only with `pitch_weight` > 0)
        self._embeddings: list[FloatArray] = []
        self._region_f0: dict[int, FloatArray] = {}  # smoothed per-frame log2-F0 of each region
        self._finished = False

    def add_audio(self, samples: npt.NDArray[np.floating], offset_s: float) -> None:
        """Add the next chunk (mono float32, 16 kHz) that starts `offset_s` seconds into the call."""
        if self._finished:
            raise RuntimeError("add_audio() after finish()")
        chunk = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._buf_start_s is None:
            self._buf_start_s = offset_s
        elif abs(offset_s - (self._buf_start_s + self._buffered / SAMPLE_RATE)) > 0.05:
            # Not contiguous (a gap in a live stream): close what we have, start afresh at offset.
            self._process(final=True)
            self._buf_start_s = offset_s
        self._chunks.append(chunk)
        self._buffered += len(chunk)
        if self._buffered >= self.params.block_s * SAMPLE_RATE:
            self._process(final=False)

    def finish(self) -> list[SpeakerSegment]:
        """Cluster all windows and return the speaker turns, sorted by start time."""
        if not self._finished:
            self._process(final=True)
            self._finished = True
        if not self._regions:
            return []
        p = self.params
        use_pitch = p.pitch_weight > 0
        f0 = np.array(self._win_f0, np.float32)
        labels = np.zeros(0, np.int64)
        if self._embeddings:
            emb = normalise_rows(np.concatenate(self._embeddings))
            labels, cents = cluster_embeddings(
                emb, np.array(self._win_weight, np.float32), p, num_speakers=self.num_speakers
            )
            sims = (emb @ cents.T).astype(np.float32)
        else:  # speech too short to embed anywhere: one speaker
            cents, sims = np.zeros((1, EMBEDDING_SIZE), np.float32), np.zeros((0, 1), np.float32)
        # Each speaker's pitch (NaN: unknown, no penalty): first from the clusters, then, like the
        # centroids, from the windows inside that speaker's turns.
        spk_f0 = speaker_log_f0(f0, labels, len(cents)) if use_pitch else None
        win_region = np.array(self._win_region, np.int64)
        win_centre = np.array(self._win_centre, np.float32)
        turns, overlaps = self._label_regions(win_region, win_centre, sims, spk_f0)
        if len(cents) > 1 and len(win_centre):
            weights = np.array(self._win_weight, np.float32)
            regions = np.array(self._regions, np.float64)[win_region]
            half = 0.5 * p.window_s
            lo, hi = np.maximum(win_centre - half, regions[:, 0]), np.minimum(win_centre + half, regions[:, 1])
            spans = np.stack([lo, hi], axis=1)
            for _ in range(p.resegment_rounds):
                pure = pure_window_labels(spans, turns)
                cents = pure_window_centroids(emb, weights, pure, cents)
                if spk_f0 is not None:
                    spk_f0 = speaker_log_f0(f0, pure, len(cents))
                sims = (emb @ cents.T).astype(np.float32)
                new_turns, overlaps = self._label_regions(win_region, win_centre, sims, spk_f0)
                if new_turns == turns:
                    break
                turns = new_turns
        return self._segments(turns, overlaps, cents)

    def _label_regions(
        self,
        win_region: npt.NDArray[np.int64],
        win_centre: FloatArray,
        sims: FloatArray,
        spk_f0: FloatArray | None = None,
    ) -> tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]:
        """Main and second-voice turns (start, end, speaker index) of every padded speech region;
        with `spk_f0` (each speaker's log2-F0), frames are also scored by pitch."""
        turns: list[tuple[float, float, int]] = []
        overlaps: list[tuple[float, float, int]] = []
        for r, region in enumerate(self._padded_regions()):
            mine = np.flatnonzero(win_region == r)
            if len(mine) == 0 and len(win_centre):
                # Too short to embed: score it with the nearest window in time.
                mid = 0.5 * (region[0] + region[1])
                mine = np.array([int(np.argmin(np.abs(win_centre - mid)))])
            if len(mine) == 0:
                turns.append((region[0], region[1], 0))
                continue
            pen = None
            if spk_f0 is not None and r in self._region_f0:
                pen = self._pitch_penalty(r, region, spk_f0)
            main, second = label_region(region, win_centre[mine], sims[mine], self.params, pen)
            turns.extend(main)
            overlaps.extend(second)
        return turns, overlaps

    def _pitch_penalty(self, r: int, region: tuple[float, float], spk_f0: FloatArray) -> FloatArray:
        """(frames, speakers) pitch penalty for the 10 ms frames of padded region `r`."""
        rf0 = self._region_f0[r]
        # Re-segmentation frame i is centred at region[0] + 0.01 i + 0.005; pitch frame j at the
        # speech region's start + 0.01 j + FRAME_CENTRE_S (the encoder's frames): take the nearest.
        n = max(1, int(round((region[1] - region[0]) / FRAME_S)))
        t = region[0] + FRAME_S * (np.arange(n) + 0.5)
        j = np.round((t - self._regions[r][0] - FRAME_CENTRE_S) / FRAME_S).astype(np.int64)
        j = np.clip(j, 0, len(rf0) - 1)
        return penalty(rf0[j], spk_f0, self.params.pitch_weight, self.params.pitch_clip_octaves)

    def _segments(
        self, turns: list[tuple[float, float, int]], overlaps: list[tuple[float, float, int]], cents: FloatArray
    ) -> list[SpeakerSegment]:
        """Speaker ids by first appearance, `speaker_embeddings`, and the final merged turns."""
        p = self.params
        order: dict[int, int] = {}
        for _, _, lab in turns:
            order.setdefault(lab, len(order))
        for _, _, lab in overlaps:
            order.setdefault(lab, len(order))
        self.speaker_embeddings = {f"S{order[lab] + 1}": cents[lab] for lab in order if lab < len(cents)}

        def seg(s: float, e: float, lab: int, overlap: bool = False) -> SpeakerSegment:
            return SpeakerSegment(round(float(s), 3), round(float(e), 3), f"S{order[lab] + 1}", overlap)

        main_segs = _merge_adjacent([seg(*t) for t in turns], gap_s=p.fill_gap_s)
        over_segs = _without_own_turns(_merge_adjacent([seg(*t, overlap=True) for t in overlaps]), main_segs)
        return sorted(main_segs + over_segs, key=lambda x: (x.start, x.overlap, x.end))

    def _padded_regions(self) -> list[tuple[float, float]]:
        """Speech regions widened by `vad_pad_s` on each side (Silero's 32 ms frames switch on a
        little late and off a little early), never into the neighbouring region or before 0."""
        pad = self.params.vad_pad_s
        out: list[tuple[float, float]] = []
        for i, (s, e) in enumerate(self._regions):
            lo = max(0.0, s - pad)
            hi = e + pad
            if i > 0:
                lo = max(lo, 0.5 * (self._regions[i - 1][1] + s))
            if i + 1 < len(self._regions):
                hi = min(hi, 0.5 * (e + self._regions[i + 1][0]))
            out.append((lo, hi))
        return out

    # -- block analysis ---------------------------------------------------------------------------

    def _process(self, final: bool) -> None:
        if not self._chunks or self._buf_start_s is None:
            return
        audio = np.concatenate(self._chunks)
        start_s = self._buf_start_s
        p = self.params
        detector = SpeechDetector()
        detector.add(audio)
        detector.flush()
        runs = speech_runs(detector.probabilities, p)
        dur = len(audio) / SAMPLE_RATE
        runs = [(s, min(e, dur)) for s, e in runs if s < dur]
        cut = dur
        if not final and runs:
            last_start, last_end = runs[-1]
            if last_end >= dur - p.vad_min_silence_s:  # the last region may continue in the next block
                if last_start > 0.25 * dur:
                    cut = last_start
                    runs = runs[:-1]
                else:  # one very long region: split it, keep a window's worth of context
                    cut = max(last_start + p.window_s, dur - p.window_s)
                    runs[-1] = (last_start, cut)
            else:
                cut = last_end
        elif not final:
            cut = max(0.0, dur - p.vad_min_silence_s)
        self._embed_regions(audio, start_s, runs)
        cut_sample = int(round(cut * SAMPLE_RATE))
        rest = audio[cut_sample:]
        self._chunks = [rest] if len(rest) else []
        self._buffered = len(rest)
        self._buf_start_s = start_s + cut_sample / SAMPLE_RATE

    def _embed_regions(self, audio: FloatArray, start_s: float, runs: list[tuple[float, float]]) -> None:
        p = self.params
        win = int(round(p.window_s * FRAMES_PER_SECOND))
        hop = max(1, int(round(p.hop_s * FRAMES_PER_SECOND)))
        mels: list[FloatArray] = []
        powers: list[FloatArray] = []
        for s, e in runs:
            region_id = len(self._regions)
            self._regions.append((start_s + s, start_s + e))
            if e - s < p.min_region_s:
                continue
            region_audio = audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)]
            mel, power = self._encoder.mel_frames(region_audio)
            if len(mel) == 0:
                continue
            log_f0 = frame_log_f0(region_audio) if p.pitch_weight > 0 else None
            if log_f0 is not None:
                self._region_f0[region_id] = smooth_log_f0(log_f0)
            if len(mel) <= win:
                # Short region: tile it to one full window (the encoder was trained on 1.6 s).
                idx = np.resize(np.arange(len(mel)), win)
                mels.append(mel[idx])
                powers.append(power[idx])
                self._add_window(region_id, start_s + 0.5 * (s + e), e - s)
                if log_f0 is not None:
                    self._win_f0.append(window_log_f0(log_f0, 0, len(log_f0)))
                continue
            starts = list(range(0, len(mel) - win + 1, hop))
            if starts[-1] != len(mel) - win:
                starts.append(len(mel) - win)
            for i, f in enumerate(starts):
                mels.append(mel[f : f + win])
                powers.append(power[f : f + win])
                step = (starts[i + 1] - f) if i + 1 < len(starts) else win
                self._add_window(region_id, start_s + s + (f + win / 2) / FRAMES_PER_SECOND, min(step, win) / 100)
                if log_f0 is not None:
                    self._win_f0.append(window_log_f0(log_f0, f, win))
        bs = p.batch_size
        for i in range(0, len(mels), bs):
            self._embeddings.append(self._encoder.embed_windows(np.stack(mels[i : i + bs]), np.stack(powers[i : i + bs])))

    def _add_window(self, region_id: int, centre_s: float, weight_s: float) -> None:
        self._win_region.append(region_id)
        self._win_centre.append(centre_s)
        self._win_weight.append(weight_s)


def pure_window_labels(spans: npt.NDArray[np.float64], turns: list[tuple[float, float, int]]) -> npt.NDArray[np.int64]:
    """Per window, the one speaker whose turns its speech span (`spans` (n, 2), seconds) touches,
    or -1 where it touches several (or none)."""
    t_start = np.array([t[0] for t in turns])
    t_end = np.array([t[1] for t in turns])
    t_lab = np.array([t[2] for t in turns], np.int64)
    label = np.full(len(spans), -1, np.int64)
    for i, (lo, hi) in enumerate(spans.tolist()):
        labs = np.unique(t_lab[(t_start < hi) & (t_end > lo)])
        if len(labs) == 1:
            label[i] = int(labs[0])
    return label


def pure_window_centroids(
    emb: FloatArray, weights: FloatArray, label: npt.NDArray[np.int64], cents: FloatArray
) -> FloatArray:
    """Speaker centroids re-estimated from the windows `pure_window_labels` gives to one speaker
    (`label` >= 0): windows over a speaker change mix two voices and pull the centroids together.
    A speaker with fewer than two such windows keeps its centroid."""
    out = cents.copy()
    for k in range(len(cents)):
        mine = label == k
        if int(mine.sum()) >= 2:
            v = (emb[mine] * weights[mine, None]).sum(axis=0)
            out[k] = v / max(float(np.linalg.norm(v)), 1e-8)
    return out


def _merge_adjacent(segments: list[SpeakerSegment], gap_s: float = 0.0) -> list[SpeakerSegment]:
    """Join consecutive turns of one speaker (no other speaker's turn between them) that touch or
    are at most `gap_s` apart. For turns of one kind: all main turns, or all overlap turns."""
    out: list[SpeakerSegment] = []
    for seg in sorted(segments, key=lambda x: (x.start, x.end)):
        prev = out[-1] if out else None
        if prev is not None and prev.speaker == seg.speaker and seg.start - prev.end <= gap_s + 1e-6:
            out[-1] = SpeakerSegment(prev.start, max(prev.end, seg.end), seg.speaker, prev.overlap)
        else:
            out.append(seg)
    return out


def _without_own_turns(overlaps: list[SpeakerSegment], main: list[SpeakerSegment]) -> list[SpeakerSegment]:
    """Overlap turns minus the time their speaker already has as a main turn (a voice is never
    counted twice at once). `main` turns do not overlap each other and are sorted by start."""
    starts = [m.start for m in main]
    out: list[SpeakerSegment] = []
    for ov in overlaps:
        pieces = [(ov.start, ov.end)]
        # Main turns are disjoint, so only those starting before ov.end, back to the one
        # containing ov.start, can cut it.
        j = bisect_left(starts, ov.end) - 1
        while j >= 0 and main[j].end > ov.start:
            m = main[j]
            if m.speaker == ov.speaker:
                pieces = [
                    part
                    for s, e in pieces
                    for part in ((s, min(e, m.start)), (max(s, m.end), e))
                    if part[1] - part[0] > 1e-6
                ]
            j -= 1
        out.extend(SpeakerSegment(s, e, ov.speaker, True) for s, e in sorted(pieces))
    return out


def diarize(
    samples: npt.NDArray[np.floating],
    sample_rate: int = SAMPLE_RATE,
    num_speakers: int | None = None,
    params: DiarizationParams | None = None,
) -> list[SpeakerSegment]:
    """Speaker turns of a whole mono recording (resampled to 16 kHz if needed)."""
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError("diarize() takes mono audio (a 1-D array)")
    if sample_rate != SAMPLE_RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(sample_rate, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, sample_rate // g).astype(np.float32)
    diarizer = Diarizer(params or DiarizationParams(), num_speakers=num_speakers)
    step = int(10 * SAMPLE_RATE)
    for i in range(0, len(audio), step):
        diarizer.add_audio(audio[i : i + step], i / SAMPLE_RATE)
    return diarizer.finish()
