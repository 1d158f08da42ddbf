"""The mono diarizer's parameters (`OverlapDiarizationParams`), in a module of their own so that
`overlap_diarizer.py` stays one readable file."""

from __future__ import annotations

from dataclasses import dataclass

from .campplus import FRAME_S
from .segmentation import WINDOW_S


@dataclass(frozen=True)
class OverlapDiarizationParams:
    """Parameters of the overlap-aware pipeline (defaults tuned on AMI train/dev and generated calls).

    `step_s`: segmentation windows (10 s) start every this many seconds (a multiple of 0.02).
    `embed_chunk_s` / `embed_chunks_per_block`: CAM++ runs over chunks this long, this many at once.
    `segment_batch`: windows per segmentation forward pass.
    `min_clean_s`: a (window, local speaker) with less speech alone than this gets no embedding of
      its own for the clustering (it is still assigned to a speaker afterwards).
    `cluster_threshold`: agglomerative clustering (`linkage`, cosine) stops merging at this distance.
    `cannot_link`: two local speakers of one window never join one cluster (`constrained.py`).
    `min_cluster_size`: clusters with fewer embeddings join their nearest larger cluster.
    `max_speakers`: upper bound on the automatic count.
    `fill_gap_s`: a speaker's pauses shorter than this (with no other speaker talking) are filled.
    `min_turn_s`: speaker runs shorter than this are dropped.
    `reassign_window_s` / `reassign_hop_s`: the main (dominant) speaker is re-decided every hop from a
      CAM++ embedding of the speech within this window (pooled from the features already computed),
      because the segmentation model sometimes calls two similar voices one local speaker.
    `reassign_seg_weight`: weight of the segmentation's own vote (share of windows saying that speaker
      is active) against the cosine similarity to each speaker's centroid; a large value keeps the
      segmentation's choice.
    `reassign_switch`: Viterbi cost of a change of main speaker between consecutive hops.
    `speech_threshold` / `overlap_threshold`: a frame has a speaker when the windows' mean
      probability that someone talks is above the first, and a second one when the mean probability
      that two talk is above the second.
    `reassign_center`: compare hop embeddings and centroids after subtracting the centroids' mean, so
      two close voices point apart.
    `reassign_rounds`: at most this many re-estimations of the centroids from the one-voice hops given
      to each speaker (stops when the labels settle; 0: the clusters' centroids as they are).
    `drop_echo_shadows`: a local speaker heard only inside another's speech, over audio that holds an
      echo, is the echo and not a second person (`shadows.py`).
    """

    step_s: float = 5.0
    embed_chunk_s: float = 10.0
    embed_chunks_per_block: int = 6
    segment_batch: int = 16
    min_clean_s: float = 0.5
    cluster_threshold: float = 0.5
    cannot_link: bool = True
    min_cluster_size: int = 2
    max_speakers: int = 6
    fill_gap_s: float = 0.5
    min_turn_s: float = 0.0
    reassign_window_s: float = 1.0
    reassign_hop_s: float = 0.2
    reassign_seg_weight: float = 0.0
    reassign_switch: float = 0.05
    reassign_center: bool = True
    reassign_rounds: int = 10
    speech_threshold: float = 0.5
    overlap_threshold: float = 0.3
    drop_echo_shadows: bool = True

    def __post_init__(self) -> None:
        if self.step_s <= 0 or self.step_s > WINDOW_S:
            raise ValueError("need 0 < step_s <= 10")
        if abs(self.step_s / FRAME_S - round(self.step_s / FRAME_S)) > 1e-6:
            raise ValueError("step_s must be a multiple of 0.02 s")
        if abs(self.embed_chunk_s / FRAME_S - round(self.embed_chunk_s / FRAME_S)) > 1e-6:
            raise ValueError("embed_chunk_s must be a multiple of 0.02 s")
