"""Mono speaker diarization: who spoke when, from one audio channel.

`OverlapDiarizer` (the default, `overlap_diarizer.py`): pyannote segmentation-3.0 on sliding 10 s
windows -> CAM++ embeddings per (window, local speaker) -> constrained clustering -> reconstruction
that keeps overlapped speech. `Diarizer` (the earlier pipeline, parameters in `DiarizationParams`):
Silero speech regions -> Resemblyzer embeddings on short sliding windows -> agglomerative clustering
-> Viterbi re-segmentation. Both end in per-word speaker assignment (`assign_speakers`).
"""

from .diarizer import Diarizer, SpeakerSegment, diarize
from .encoder import SpeakerEncoder, get_encoder
from .overlap_diarizer import OverlapDiarizationParams, OverlapDiarizer, diarize_overlap
from .params import SAMPLE_RATE, DiarizationParams
from .words import assign_speakers

__all__ = [
    "SAMPLE_RATE",
    "DiarizationParams",
    "Diarizer",
    "OverlapDiarizationParams",
    "OverlapDiarizer",
    "SpeakerEncoder",
    "SpeakerSegment",
    "assign_speakers",
    "diarize",
    "diarize_overlap",
    "get_encoder",
]
