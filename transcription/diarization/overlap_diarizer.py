"""Overlap-aware mono diarization in the manner of pyannote 3.x.

1. Segmentation: pyannote segmentation-3.0 on 10 s windows every `step_s` gives each window up to
   three local speakers per frame, two of them possibly at once (`segmentation.py`). A local speaker
   heard only inside another's speech over audio that holds an echo is that voice's echo, and is
   dropped (`shadows.py`).
2. Embeddings: CAM++ runs once over the audio (10 s chunks); each (window, local speaker) embedding
   pools CAM++'s frame features over the frames where that local speaker talks alone
   (`campplus.py`), so an overlapped stretch does not blend two voices.
3. Clustering: embeddings with enough clean speech are clustered (agglomerative, cosine, with a
   distance threshold, or cut at a given count); small clusters join the nearest large one they never
   shared a window with (none: they stay a speaker); then each window's local speakers go to distinct
   clusters (optimal assignment).
4. Reconstruction: per frame, the windows' probabilities that someone talks and that two talk are
   averaged and thresholded: that many speakers are on, so overlapped speech comes out as two. The
   main speaker is re-decided every 0.2 s from a 1 s CAM++ embedding compared with the speakers'
   centroids after subtracting their mean, Viterbi-smoothed; the centroids are then re-estimated
   from the one-voice hops given to each speaker until the labels settle. The others on in a frame,
   ranked by the windows' probabilities, become overlap turns.
5. `split(words)`: where the count is in doubt, the best two-speaker account from the words'
   stretches, their pooled hop embeddings and their pitch (`stretches.py`, `pitch.py`; the pitch is
   tracked as the audio arrives), for `count.py` to weigh against the conversation.

The stream is analysed as it arrives (`add_audio`), in blocks: what a call keeps is, per window,
its 0/1 activity (589 x 3 bytes), its probabilities (589 x 5 float16) and three 192-float
embeddings, per 0.2 s hop one 192-float embedding and per 10 ms one pitch value: about 22 MB per
hour of audio, small beside
the models and batch buffers (peak RSS ~800 MB for 2 minutes or 2 hours); the audio and CAM++
features are kept only for the windows still to analyse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment

from transcription.audio import SAMPLE_RATE

from . import shadows
from .campplus import (
    EMBEDDING_SIZE,
    ENCODER_ID,
    FEATURE_SIZE,
    FRAME_S,
    SAMPLES_PER_FRAME,
    CamppEncoder,
    get_campplus,
)
from .constrained import absorb_small_clusters, constrained_average_linkage
from .params import OverlapDiarizationParams
from .pitch import PITCH_HOP, PITCH_SPAN, yin
from .reassign import main_speakers
from .segmentation import LOCAL_SPEAKERS, WINDOW_S, WINDOW_SAMPLES, Segmenter, get_segmenter
from .segments import SpeakerSegment, frame_turns
from .stretches import VoiceSplit, hop_labels, split_stretches, word_stretches

if TYPE_CHECKING:
    from transcription.types import Word

FloatArray = npt.NDArray[np.float32]


class OverlapDiarizer:
    """Streaming overlap-aware diarizer with the interface of `Diarizer`: `add_audio()` contiguous
    16 kHz chunks, then `finish()` once; `speaker_embeddings` then maps speaker ids to CAM++
    centroids (L2-normalised, 192 floats). `on_windows(done)` is called after each batch of
    segmentation windows with the number analysed so far (`count_windows` gives a call's total).
    `num_speakers` cuts the clustering at exactly that many speakers; `most_speakers` only when it
    finds more (a user's hint: fewer voices stay fewer, see `count.settle_count`)."""

    def __init__(
        self,
        params: OverlapDiarizationParams = OverlapDiarizationParams(),  # noqa: B008  (frozen)
        num_speakers: int | None = None,
        segmenter: Segmenter | None = None,
        encoder: CamppEncoder | None = None,
        on_windows: Callable[[int], None] | None = None,
        most_speakers: int | None = None,
    ) -> None:
        if num_speakers is not None and num_speakers < 1:
            raise ValueError("num_speakers must be at least 1")
        if most_speakers is not None and most_speakers < 1:
            raise ValueError("most_speakers must be at least 1")
        self.params = params
        self.num_speakers = num_speakers
        self.most_speakers = most_speakers
        self.speaker_embeddings: dict[str, FloatArray] = {}
        self.encoder_id = ENCODER_ID
        self._seg = segmenter or get_segmenter()
        self._enc = encoder or get_campplus()
        self._step = int(round(params.step_s * SAMPLE_RATE))
        self._chunk = int(round(params.embed_chunk_s * SAMPLE_RATE))
        self._audio = np.zeros(0, np.float32)  # samples from global sample `_audio0`
        self._audio0 = 0
        self._received = 0  # samples received so far (global)
        self._start_s: float | None = None  # time of global sample 0
        self._feats = np.zeros((FEATURE_SIZE, 0), np.float32)  # CAM++ frames from global frame `_feat0`
        self._feat0 = 0
        self._featured = 0  # samples covered by CAM++ features (a multiple of the chunk)
        self._next_window = 0  # global sample where the next window starts
        self._activity: list[npt.NDArray[np.uint8]] = []  # per window (frames, 3)
        self._embeddings: list[FloatArray] = []  # per window (3, 192)
        self._clean_s: list[FloatArray] = []  # per window (3,) seconds of speech alone
        self._soft: list[npt.NDArray[np.float16]] = []  # per window (frames, 3) P(local speaker talks)
        self._count_p: list[npt.NDArray[np.float16]] = []  # per window (frames, 2) P(>= 1), P(2 talk)
        self._short: list[FloatArray] = []  # per reassignment hop, a 192-float embedding (zeros: no speech)
        self._hop = int(round(params.reassign_hop_s / FRAME_S))  # in CAM++ frames
        self._finished = False
        self._on_windows = on_windows
        self._f0: list[FloatArray] = []  # pitch (Hz, 0: unvoiced) per 10 ms from global sample 0
        self._pitched = 0  # pitch frames done
        # After `split(words)`: the two voices found among the words' stretches, or None.
        self.split_voices: VoiceSplit | None = None
        # CAM++ frame j of a window starting at a 20 ms boundary covers [0.02 j, 0.02 (j + 1)); its
        # nearest segmentation frame:
        centres = self._seg.frame_centres()
        t = FRAME_S * (np.arange(int(round(WINDOW_S / FRAME_S))) + 0.5)
        self._feat_to_seg = np.clip(np.searchsorted(centres, t), 0, len(centres) - 1)

    # -- streaming -------------------------------------------------------------------------------

    def add_audio(self, samples: npt.NDArray[np.floating], offset_s: float) -> None:
        """Add the next chunk (mono float32, 16 kHz) that starts `offset_s` seconds into the call.
        A gap before `offset_s` is filled with silence."""
        if self._finished:
            raise RuntimeError("add_audio() after finish()")
        chunk = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._start_s is None:
            self._start_s = offset_s
        gap = int(round((offset_s - self._start_s) * SAMPLE_RATE)) - self._received
        if gap > 0.05 * SAMPLE_RATE:
            chunk = np.concatenate([np.zeros(gap, np.float32), chunk])
        self._audio = np.concatenate([self._audio, chunk])
        self._received += len(chunk)
        self._track_pitch(final=False)
        self._advance(final=False)

    def finish(self) -> list[SpeakerSegment]:
        """Cluster and reconstruct; return the speaker turns sorted by start (overlap turns marked)."""
        if not self._finished:
            self._track_pitch(final=True)
            self._advance(final=True)
            self._finished = True
        if not self._activity:
            return []
        activity = np.stack(self._activity)
        emb = np.stack(self._embeddings)
        clean = np.stack(self._clean_s)
        assignment, cents = self._cluster(activity, emb, clean, self.num_speakers)
        if self.num_speakers is None and self.most_speakers is not None and len(cents) > self.most_speakers:
            assignment, cents = self._cluster(activity, emb, clean, self.most_speakers)
        return self._reconstruct(np.stack(self._soft), np.stack(self._count_p), assignment, cents)

    def split(self, words: list[Word]) -> tuple[list[SpeakerSegment], dict[str, FloatArray]]:
        """After `finish()`: the best two-speaker account of the same call, from the stretches of
        `words` (`stretches.py`: each stretch's pooled CAM++ hops and its pitch, two-means), with
        the two speakers' centroids; the main speaker of every hop is its stretch's, the rest of the
        reconstruction (overlap turns, filled pauses) as in `finish()`. `split_voices` keeps the
        split's voice evidence (None, and no segments, when there are too few stretches to split);
        `speaker_embeddings` is left as `finish()` set it. Used to weigh a second speaker against
        the conversation when the voices gave one (`count.py`)."""
        if not self._finished:
            raise RuntimeError("split() before finish()")
        self.split_voices = None
        if not self._activity or not self._short:
            return [], {}
        stretches = word_stretches(words)
        start_s = self._start_s or 0.0
        hop_s = self._hop * FRAME_S
        voices = split_stretches(stretches, np.stack(self._short), hop_s, self.pitch_track(), start_s)
        if voices is None:
            return [], {}
        self.split_voices = voices
        kept = self.speaker_embeddings
        try:
            emb, activity = np.stack(self._embeddings), np.stack(self._activity)
            x = emb / np.maximum(np.linalg.norm(emb, axis=2), 1e-8)[..., None]
            assignment = self._assign(x, activity.sum(axis=1) > 0, voices.centroids)
            labels = hop_labels(stretches, voices.labels, len(self._short), hop_s, start_s)
            segments = self._reconstruct(np.stack(self._soft), np.stack(self._count_p), assignment,
                                         voices.centroids, labels)
            return segments, self.speaker_embeddings
        finally:
            self.speaker_embeddings = kept

    def pitch_track(self) -> FloatArray:
        """The call's pitch so far: Hz per 10 ms frame from the first sample (0: unvoiced)."""
        return np.concatenate(self._f0) if self._f0 else np.zeros(0, np.float32)

    def _track_pitch(self, final: bool) -> None:
        """Pitch of every 10 ms frame the audio received so far covers (at the end, of every frame
        that starts in it). The audio kept always reaches back to the next frame to do: windows
        drop only audio before the next window, which starts at least 5 s before the last sample."""
        lo = self._pitched * PITCH_HOP - self._audio0
        seg = self._audio[lo:]
        if final:
            seg = np.concatenate([seg, np.zeros(PITCH_SPAN, np.float32)])
        f0 = yin(seg)
        if final:
            f0 = f0[: max(0, -(-self._received // PITCH_HOP) - self._pitched)]
        if len(f0):
            self._f0.append(f0)
            self._pitched += len(f0)

    def _advance(self, final: bool) -> None:
        block = self._chunk * self.params.embed_chunks_per_block
        if final:
            # Windows until one reaches the end; the audio is padded with silence to cover them.
            last = max(0, int(np.ceil(max(0, self._received - WINDOW_SAMPLES) / self._step))) * self._step
            need = last + WINDOW_SAMPLES
            need = int(np.ceil(need / self._chunk)) * self._chunk
            have = self._audio0 + len(self._audio)
            if need > have:
                self._audio = np.concatenate([self._audio, np.zeros(need - have, np.float32)])
            while self._featured < need:
                self._featurise(min(block, need - self._featured))
            self._windows(until=last + WINDOW_SAMPLES, last_start=last)
            return
        while self._audio0 + len(self._audio) - self._featured >= block:
            self._featurise(block)
            self._windows(until=self._featured)

    def _featurise(self, n: int) -> None:
        """CAM++ features for the next `n` samples (a multiple of the chunk length)."""
        lo = self._featured - self._audio0
        pieces = [self._audio[lo + i : lo + i + self._chunk] for i in range(0, n, self._chunk)]
        feats = self._enc.frame_features(pieces)  # (chunks, 512, frames)
        per_chunk = self._chunk // SAMPLES_PER_FRAME
        f = feats[:, :, :per_chunk]
        if f.shape[2] < per_chunk:  # CAM++ drops a frame or two at the end: repeat the last
            f = np.concatenate([f, np.repeat(f[:, :, -1:], per_chunk - f.shape[2], axis=2)], axis=2)
        self._feats = np.concatenate([self._feats, *list(f)], axis=1)
        self._featured += n

    def _windows(self, until: int, last_start: int | None = None) -> None:
        """Segment and embed every window ending at or before global sample `until`."""
        p = self.params
        starts: list[int] = []
        s = self._next_window
        while s + WINDOW_SAMPLES <= until:
            starts.append(s)
            s += self._step
        for i in range(0, len(starts), p.segment_batch):
            batch = starts[i : i + p.segment_batch]
            audio = np.stack([self._audio[b - self._audio0 : b - self._audio0 + WINDOW_SAMPLES] for b in batch])
            probs = self._seg.probabilities(audio)  # (n, frames, 7)
            act = self._seg.to_activity(probs)  # (n, frames, 3)
            soft = self._seg.marginals(probs).astype(np.float16)
            count_p = self._seg.count_probabilities(probs).astype(np.float16)
            if p.drop_echo_shadows:
                for j in range(len(batch)):
                    shadows.drop_echo_shadows(audio[j], act[j], soft[j], count_p[j], self._seg.frame_step_s)
            frames = len(self._feat_to_seg)
            feats = np.stack(
                [self._feats[:, (b // SAMPLES_PER_FRAME - self._feat0) :][:, :frames] for b in batch]
            )  # (n, 512, frames)
            a = act[:, self._feat_to_seg, :].astype(np.float32)  # (n, frames, 3) on CAM++ frames
            alone = a * (a.sum(axis=2, keepdims=True) == 1)
            clean_s = alone.sum(axis=1) * FRAME_S  # (n, 3)
            # Pool over speech alone; where a speaker never talks alone, over all of its speech.
            weights = np.where((alone.sum(axis=1) > 0)[:, None, :], alone, a)
            n = len(batch)
            emb = self._enc.pool(
                np.repeat(feats, LOCAL_SPEAKERS, axis=0),
                weights.transpose(0, 2, 1).reshape(n * LOCAL_SPEAKERS, frames),
            ).reshape(n, LOCAL_SPEAKERS, EMBEDDING_SIZE)
            for j in range(n):
                self._short_embeddings(batch[j], feats[j], a[j].max(axis=1), batch[j] == last_start)
                self._activity.append(act[j])
                self._soft.append(soft[j])
                self._count_p.append(count_p[j])
                self._embeddings.append(emb[j])
                self._clean_s.append(clean_s[j].astype(np.float32))
            if self._on_windows is not None:
                self._on_windows(len(self._activity))
        self._next_window = s
        # Drop audio and features no later window needs.
        keep = self._next_window
        if keep > self._audio0:
            self._audio = self._audio[keep - self._audio0 :]
            self._audio0 = keep
        keep_f = keep // SAMPLES_PER_FRAME
        if keep_f > self._feat0:
            self._feats = self._feats[:, keep_f - self._feat0 :]
            self._feat0 = keep_f

    def _short_embeddings(self, start: int, feats: FloatArray, speech: FloatArray, last: bool) -> None:
        """Embeddings of the reassignment hops this window owns: those whose centre is nearest to this
        window's centre (all remaining ones for the last window)."""
        h = self._hop
        f0 = start // SAMPLES_PER_FRAME  # global CAM++ frame of the window's start
        centre = f0 + feats.shape[1] // 2
        half_step = self._step // SAMPLES_PER_FRAME / 2
        hi = f0 + feats.shape[1] if last else centre + half_step
        half_win = int(round(self.params.reassign_window_s / FRAME_S / 2))
        m = len(self._short)
        weights = []
        while (m + 0.5) * h < hi:
            mid = int((m + 0.5) * h) - f0
            w = np.zeros(feats.shape[1], np.float32)
            a, b = max(0, mid - half_win), min(feats.shape[1], mid + half_win)
            w[a:b] = speech[a:b]
            weights.append(w)
            m += 1
        if weights:
            emb = self._enc.pool(np.repeat(feats[None], len(weights), axis=0), np.stack(weights))
            self._short.extend(list(emb))

    # -- clustering ------------------------------------------------------------------------------

    def _cluster(
        self, activity: npt.NDArray[np.uint8], emb: FloatArray, clean: FloatArray, k_given: int | None
    ) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """(windows, 3) global speaker of each local speaker (-1: inactive) and the centroids;
        `k_given`: cut the clustering at that many speakers (None: at the distance threshold)."""
        p = self.params
        active = activity.sum(axis=1) > 0  # (w, 3)
        norms = np.linalg.norm(emb, axis=2)
        x = emb / np.maximum(norms, 1e-8)[..., None]
        good = active & (clean >= p.min_clean_s) & (norms > 0)
        if not good.any():  # too little clean speech anywhere: the best-covered local speakers
            good = active & (norms > 0) & (clean >= clean[active].max(initial=0.0) * 0.999)
        assignment = np.full(active.shape, -1, np.int64)
        if not active.any():
            return assignment, np.zeros((0, EMBEDDING_SIZE), np.float32)
        xs = x[good]
        if len(xs) == 1 or k_given == 1:
            labels = np.zeros(len(xs), np.int64)
        elif p.cannot_link:
            win = np.broadcast_to(np.arange(len(x))[:, None], good.shape)[good]
            apart = win[:, None] == win[None, :]
            labels = constrained_average_linkage(xs, apart, p.cluster_threshold, num_clusters=k_given)
            if k_given is None:
                labels = absorb_small_clusters(xs, labels, p.min_cluster_size, p.max_speakers, apart)
        else:
            tree = linkage(xs.astype(np.float64), method="average", metric="cosine")
            if k_given is not None:
                labels = fcluster(tree, t=min(k_given, len(xs)), criterion="maxclust") - 1
            else:
                labels = fcluster(tree, t=p.cluster_threshold, criterion="distance") - 1
                labels = absorb_small_clusters(xs, labels, p.min_cluster_size, p.max_speakers)
        k = int(labels.max()) + 1
        cents = np.stack([xs[labels == c].mean(axis=0) for c in range(k)])
        cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-8)
        return self._assign(x, active, cents), cents.astype(np.float32)

    @staticmethod
    def _assign(x: FloatArray, active: npt.NDArray[np.bool_], cents: FloatArray) -> npt.NDArray[np.int64]:
        """Each window's local speakers to distinct global speakers (more local speakers than
        global ones: the extra ones go to their best speaker anyway); -1 where inactive."""
        assignment = np.full(active.shape, -1, np.int64)
        sims = x @ cents.T  # (w, 3, k)
        for w in range(len(x)):
            loc = np.flatnonzero(active[w])
            if len(loc) == 0:
                continue
            s = sims[w, loc]
            rows, cols = linear_sum_assignment(-s)
            assignment[w, loc[rows]] = cols
            rest = np.setdiff1d(np.arange(len(loc)), rows)
            assignment[w, loc[rest]] = np.argmax(s[rest], axis=1)
        return assignment

    # -- reconstruction ------------------------------------------------------------------------

    def _reconstruct(
        self,
        soft: npt.NDArray[np.float16],
        count_p: npt.NDArray[np.float16],
        assignment: npt.NDArray[np.int64],
        cents: FloatArray,
        hop_label: npt.NDArray[np.int64] | None = None,
    ) -> list[SpeakerSegment]:
        """Turns from the windows' votes: `hop_label` (one speaker per reassignment hop) fixes the
        main speaker instead of `reassign.main_speakers`."""
        p = self.params
        k = len(cents)
        if k == 0:
            return []
        fstep = self._seg.frame_step_s
        n_win, n_frames, _ = soft.shape
        offsets = np.round(np.arange(n_win) * p.step_s / fstep).astype(np.int64)
        total = int(offsets[-1]) + n_frames
        score = np.zeros((total, k), np.float32)
        count = np.zeros((total, 2), np.float32)
        cover = np.zeros(total, np.float32)
        for w in range(n_win):
            sl = slice(offsets[w], offsets[w] + n_frames)
            count[sl] += count_p[w]
            cover[sl] += 1
            for c in set(assignment[w].tolist()) - {-1}:
                score[sl, c] += soft[w][:, assignment[w] == c].max(axis=1)
        count /= np.maximum(cover, 1)[:, None]
        n_on = (count[:, 0] > p.speech_threshold).astype(np.int64) + (count[:, 1] > p.overlap_threshold)
        n_on = np.minimum(n_on, k)
        t0 = self._seg.frame_start_s + 0.5 * self._seg.frame_duration_s
        share = (score / np.maximum(cover, 1)[:, None]).astype(np.float32)
        dominant = self._main_speaker(share, n_on, cents, t0, fstep, hop_label)
        # On in each frame: the main speaker, then the others by their windows' votes.
        others = np.where(np.arange(k)[None, :] == dominant[:, None], -np.inf, score)
        order = np.argsort(-others, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(total, axis=0), axis=1)
        on = (rank < (n_on - 1)[:, None]) | ((np.arange(k)[None, :] == dominant[:, None]) & (n_on > 0)[:, None])
        # Time of frame i: its centre. Ignore frames past the real audio.
        start_s = self._start_s or 0.0
        dur = self._received / SAMPLE_RATE
        last = min(total, int(np.floor((dur - t0) / fstep)) + 1)
        on = on[: max(last, 0)]
        segs, ids = frame_turns(on, dominant[: len(on)], fstep, t0 - 0.5 * fstep + start_s, dur + start_s,
                                p.fill_gap_s, p.min_turn_s)
        self.speaker_embeddings = {f"S{ids[c] + 1}": cents[c] for c in ids}
        return segs

    def _main_speaker(
        self, share: FloatArray, n_on: npt.NDArray[np.int64], cents: FloatArray, t0: float, fstep: float,
        hop_label: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.int64]:
        """Main speaker of every frame: the frames' votes and voice counts gathered per reassignment hop,
        then decided per hop by `reassign.main_speakers` (or given per hop: `hop_label`)."""
        p = self.params
        frames, k = share.shape
        hop = self._hop * FRAME_S
        m_of = np.minimum(((t0 + fstep * np.arange(frames)) / hop).astype(np.int64), max(len(self._short) - 1, 0))
        if hop_label is not None and len(hop_label):
            given: npt.NDArray[np.int64] = hop_label[m_of]
            return given
        if not self._short or k == 1:
            first: npt.NDArray[np.int64] = np.argmax(share, axis=1)
            return first
        n_hops = len(self._short)
        hits = np.maximum(np.bincount(m_of, minlength=n_hops), 1).astype(np.float64)

        def per_hop(values: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
            """Mean of a per-frame quantity over each hop's frames."""
            out = np.zeros((n_hops, *values.shape[1:]), np.float64)
            np.add.at(out, m_of, values)
            return out / hits.reshape(-1, *([1] * (values.ndim - 1)))

        label = main_speakers(np.stack(self._short), cents, per_hop(share), per_hop((n_on > 0).astype(np.float64)),
                              per_hop((n_on == 1).astype(np.float64)), seg_weight=p.reassign_seg_weight,
                              switch=p.reassign_switch, center=p.reassign_center, rounds=p.reassign_rounds)
        main: npt.NDArray[np.int64] = label[m_of]
        return main

def count_windows(duration_s: float, params: OverlapDiarizationParams) -> int:
    """How many segmentation windows a call of `duration_s` seconds is analysed in."""
    n = int(round(duration_s * SAMPLE_RATE))
    step = int(round(params.step_s * SAMPLE_RATE))
    return int(np.ceil(max(0, n - WINDOW_SAMPLES) / step)) + 1


def diarize_overlap(
    samples: npt.NDArray[np.floating],
    num_speakers: int | None = None,
    params: OverlapDiarizationParams | None = None,
) -> list[SpeakerSegment]:
    """Speaker turns (with overlap turns) of a whole 16 kHz mono recording."""
    d = OverlapDiarizer(params or OverlapDiarizationParams(), num_speakers=num_speakers)
    audio = np.asarray(samples, np.float32).reshape(-1)
    step = 30 * SAMPLE_RATE
    for i in range(0, max(len(audio), 1), step):
        d.add_audio(audio[i : i + step], i / SAMPLE_RATE)
    return d.finish()
