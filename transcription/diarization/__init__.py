"""Mono speaker diarization: who spoke when, from one audio channel.

Stages (parameters in `DiarizationParams`): Silero speech regions -> Resemblyzer embeddings on
short sliding windows -> agglomerative clustering with the speaker count found automatically ->
Viterbi re-segmentation with a minimum turn length -> per-word speaker assignment.
"""

from .diarizer import Diarizer, SpeakerSegment, diarize
from .encoder import SpeakerEncoder, get_encoder
from .params import SAMPLE_RATE, DiarizationParams
from .words import assign_speakers

__all__ = [
    "SAMPLE_RATE",
    "DiarizationParams",
    "Diarizer",
    "SpeakerEncoder",
    "SpeakerSegment",
    "assign_speakers",
    "diarize",
    "get_encoder",
]
