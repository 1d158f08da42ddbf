"""Every tunable number of mono diarization, in one place.

The defaults were tuned only on development data (AMI `debug.train` / `debug.development`
excerpts and generated two-voice calls, see `bench/diarization_eval.py`); the pyannote phone
sample and AMI `debug.test` are for reporting only.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class DiarizationParams:
    """Parameters of the four diarization stages.

    Speech regions (Silero VAD bundled with faster-whisper, 32 ms frames):
      `vad_threshold`: speech starts at a frame whose probability is at least this...
      `vad_neg_threshold`: ...and goes on while frames stay at or above this (hysteresis, as
        Silero's own `threshold - 0.15`; equal to `vad_threshold` turns it off).
      `vad_min_silence_s`: silences shorter than this inside speech are bridged; a longer silence
        closes a speech region. Embedding windows never span two regions, so a short isolated "yes"
        gets its own embedding instead of being averaged with the neighbouring speaker.
      `vad_min_speech_s`: speech runs shorter than this are dropped (clicks, breaths).
      `vad_pad_s`: output turns extend this far beyond the detected speech on each side.
      `block_s`: audio is analysed in blocks of about this length (memory stays bounded on long
        calls; the open speech region at a block's end is carried into the next block).

    Embeddings (Resemblyzer's bundled LSTM encoder on 40-band mel frames, 10 ms hop):
      `window_s`: length of one embedding window of speech (Resemblyzer was trained on 1.6 s).
      `hop_s`: step between windows inside a region; smaller is finer and slower.
      `min_region_s`: regions shorter than this get no embedding of their own (re-segmentation
        scores them with the nearest window in time, so a lone "yes" under 0.3 s usually takes the
        neighbouring speaker: a known weakness).
      `batch_size`: windows per encoder forward pass.

    Clustering (agglomerative, average linkage on cosine distance):
      `cluster_threshold`: merging stops when the closest two clusters are further apart than this
        cosine distance; decides the speaker count when it is not given.
      `count_method`: "threshold" cuts the tree at `cluster_threshold`; "silhouette" uses the
        threshold only to decide one speaker or more, then picks the count 2..max_speakers with the
        best silhouette.
      `short_speech_s` / `short_threshold`: with less embedded speech than `short_speech_s`, the
        one-or-more decision uses `short_threshold` instead (a few windows of one voice scatter more).
      `max_speakers` / `min_speakers`: bounds on the automatic count.
      `min_speaker_s`: a cluster with less speech than this is a ghost (noise, a cough) and is merged
        into its nearest cluster.
      `min_speaker_share`: same, as a share of all embedded speech.
      `max_cluster_windows`: above this many windows, cluster a regular subsample and assign the rest
        to the nearest centroid (keeps memory and time linear on hour-long calls).
      `refine_iterations`: centroid re-estimation rounds after clustering (k-means style).

    Re-segmentation (10 ms speech frames):
      `assign_context_s`: a window's speaker scores count for the frames within this distance of the
        window's centre (the centre of a window is where its embedding is most reliable).
      `switch_penalty`: Viterbi cost of changing speaker between consecutive speech frames, in units
        of cosine similarity; larger gives fewer, longer turns.
      `min_turn_s`: turns shorter than this are given to a neighbouring speaker unless they fill a
        whole speech region (an isolated short answer keeps its own speaker).
      `resegment_rounds`: after a re-segmentation, the speaker centroids are re-estimated from the
        windows lying within one speaker's turns (a window over a speaker change blurs both) and
        the regions are labelled again, up to this many times (fewer when the turns stop changing).
      `pitch_weight`: each 10 ms frame's score for a speaker is lowered by this times
        |the frame's pitch - the speaker's pitch| (log2-F0, octaves, clipped at `pitch_clip_octaves`;
        frame pitch: mean of the voiced frames within 0.2 s; speaker pitch: median over the windows
        inside that speaker's turns; see `pitch.py`); nothing where either has no pitch. 0 turns it
        off and skips the pitch analysis.
      `pitch_clip_octaves`: differences beyond this many octaves count as this (octave errors).
      `fill_gap_s`: two turns of the same speaker with a pause of at most this between them (and no
        other speaker's turn) become one turn: people pause inside a turn, and human speaker
        annotations count those pauses as the speaker's.

    Overlapped speech (a second voice over the main speaker; output as `SpeakerSegment(overlap=True)`):
      `overlap_margin_s`: for this long on each side of a speaker change inside a speech region both
        speakers are output (interruptions and hand-overs overlap); 0 turns it off.
      `overlap_score_gap`: frames where another speaker scores within this cosine similarity of the
        chosen speaker get that speaker as a second voice; 0 turns it off.
      `overlap_min_s`: second-voice runs shorter than this are dropped.
    """

    vad_threshold: float = 0.5
    vad_neg_threshold: float = 0.35
    vad_min_silence_s: float = 0.45
    vad_min_speech_s: float = 0.12
    vad_pad_s: float = 0.0
    block_s: float = 30.0

    window_s: float = 1.6
    hop_s: float = 0.4
    min_region_s: float = 0.3
    batch_size: int = 64

    cluster_threshold: float = 0.28
    count_method: str = "silhouette"
    short_speech_s: float = 10.0
    short_threshold: float = 0.36
    max_speakers: int = 6
    min_speakers: int = 1
    min_speaker_s: float = 2.0
    min_speaker_share: float = 0.15
    max_cluster_windows: int = 2500
    refine_iterations: int = 2

    assign_context_s: float = 0.5
    switch_penalty: float = 0.05
    min_turn_s: float = 0.4
    resegment_rounds: int = 4
    pitch_weight: float = 0.5
    pitch_clip_octaves: float = 1.0
    fill_gap_s: float = 1.5

    overlap_margin_s: float = 0.0
    overlap_score_gap: float = 0.0
    overlap_min_s: float = 0.2

    def __post_init__(self) -> None:
        if not 1 <= self.min_speakers <= self.max_speakers:
            raise ValueError("need 1 <= min_speakers <= max_speakers")
        if self.hop_s <= 0 or self.window_s <= 0 or self.hop_s > self.window_s:
            raise ValueError("need 0 < hop_s <= window_s")
        if self.pitch_weight < 0 or self.pitch_clip_octaves <= 0:
            raise ValueError("need pitch_weight >= 0 and pitch_clip_octaves > 0")
        if self.count_method not in ("threshold", "silhouette"):
            raise ValueError('count_method must be "threshold" or "silhouette"')
