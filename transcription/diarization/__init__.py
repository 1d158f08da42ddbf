"""Mono speaker diarization: who spoke when, from one audio channel.

`OverlapDiarizer` (`overlap_diarizer.py`): pyannote segmentation-3.0 on sliding 10 s windows ->
CAM++ embeddings per (window, local speaker) -> constrained clustering -> reconstruction that keeps
overlapped speech; then per-word speaker assignment (`assign_speakers`). The same CAM++ encoder
embeds voice profiles and live mono utterances (`transcription.live_speakers`).
"""

from transcription.audio import SAMPLE_RATE

from .overlap_diarizer import OverlapDiarizer, diarize_overlap
from .params import OverlapDiarizationParams
from .segments import SpeakerSegment
from .words import assign_speakers

__all__ = [
    "SAMPLE_RATE",
    "OverlapDiarizationParams",
    "OverlapDiarizer",
    "SpeakerSegment",
    "assign_speakers",
    "diarize_overlap",
]
