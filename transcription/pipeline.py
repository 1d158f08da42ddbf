"""A recording in, a speaker-attributed `Transcript` out.

Stereo with one speaker per channel: each channel is transcribed on its own (both at once, the
cores split between them) and the words are merged by time; S1 is the left channel, S2 the right.
Mono, fake stereo and one-sided stereo: one transcription, then speakers from
`transcription.diarization`, assigned per word.

The transcript's speaker turns may overlap: on stereo they are each channel's speech (its words,
joined over pauses up to `CHANNEL_TURN_PAUSE_S`), on mono the diarizer's turns, overlapped speech
included; each word still gets one speaker.

Long files are processed in blocks of `TranscribeOptions.block_s` seconds cut at the quietest
moment near the block's end, so memory stays flat whatever the call length.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from transcription.asr import AsrOptions, available_cpus, load_whisper
from transcription.audio import SAMPLE_RATE, AudioChunk, iter_audio_chunks, probe_audio
from transcription.channels import ChannelOptions, ChannelReport, classify_channels, to_mono
from transcription.languages import AUTO, ENGLISH
from transcription.progress import ProgressHook, no_progress
from transcription.routing import LanguageRouter, LanguageSpan
from transcription.types import (
    Speaker,
    SpeakersNote,
    SpeakerTurn,
    Transcript,
    TranscriptSource,
    Word,
    merge_turns,
)
from transcription.unheard import UnheardSpeech, unheard_speech, unheard_warnings

if TYPE_CHECKING:
    from transcription.diarization import OverlapDiarizer
    from transcription.voiceprint import VoiceProfile

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

NO_SPEECH_WARNING = "no speech found"
# A channel's words closer than this are one turn: the diarizer's own gap fill
# (`OverlapDiarizationParams.fill_gap_s`), so stereo and mono turns are cut alike.
CHANNEL_TURN_PAUSE_S = 0.5


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """Everything `transcribe_file` can be told.

    asr: the speech recogniser's options (model folder, beam, prompt, thresholds).
    rep_channel: on true stereo, the channel of the sales rep (0 = left, 1 = right); the other
        channel is the customer.
    num_speakers: how many people are on the call (mono), as the user says it (`--speakers N`, the
        upload's `expected_speakers`): a prior, not a forced count. More voices than that are merged
        down to it; one voice found when two or more are expected becomes two only when the
        conversation shows two people taking turns (`transcription.diarization.count`), else it
        stays one with a warning. None: found from the voices and the conversation.
    force_speakers: with `num_speakers`, cut the clustering at exactly that many speakers (the old
        behaviour of `--speakers`; `--force-speakers` on the CLI).
    default_speakers: the deployment's default for calls without a hint (`TALKTRACK_CALL_SPEAKERS`,
        2: a sales call has a rep and a customer); it only lowers the bar for a second speaker when
        the voices give one, and never merges voices.
    diarize: False leaves every mono word to one speaker "S1" (otherwise `OverlapDiarizer`:
        pyannote segmentation-3.0 + CAM++, overlap-aware; see docs/diarization.md).
    block_s: length of the blocks a long file is processed in (memory bound, see module doc).
    cut_search_s: the last this-many seconds of a block are searched for the quietest 100 ms to
        cut at, so no word is split between blocks.
    parallel_channels: transcribe the two channels of a stereo call at the same time.
    channels: thresholds of fake-stereo detection.
    stereo_prompt: an initial prompt for the channels of a true stereo call when
        `asr.initial_prompt` is None; None (the default) gives none. The filler prompt
        (`asr.DISFLUENT_PROMPT`) keeps more "um"/"uh" and lowered WER on the sample call's two
        channels, but on longer calls it makes tiny.en jump past whole stretches of a channel
        (`bench/stereo_prompt.py`, docs/transcription.md); mono never gets it either.
    model: a local CTranslate2 Whisper folder; overrides `asr.model` when given (the CLI's
        `--model`).
    rep_name: display name given to the rep's speaker on true stereo (the CLI's `--rep NAME`).
    profiles: enrolled reps' voice profiles; on mono, a diarized speaker matching one becomes
        the rep (see `transcription.roles.assign_roles`), on stereo it names the rep.
    uploader: the name of the rep user the upload names; their profile (one of `profiles`) picks
        the rep on mono with a lower bar than an unknown profile (`assign_roles`, rule 3).
    language_stretch_s: with `asr.language` "auto", the language is detected per stretch of about
        this many seconds of a block (one encoder pass of the multilingual model each;
        `transcription.routing`), so a call that changes language is transcribed in each.
    crosstalk_margin_db: on stereo, a word is dropped as crosstalk (the other party leaking into
        this channel) when its channel is this much quieter than the other channel during the
        word, after both channels are levelled to their own speech loudness. None disables it.
    """

    asr: AsrOptions = field(default_factory=AsrOptions)
    rep_channel: int = 0
    num_speakers: int | None = None
    force_speakers: bool = False
    default_speakers: int | None = None
    diarize: bool = True
    block_s: float = 300.0
    cut_search_s: float = 20.0
    parallel_channels: bool = True
    channels: ChannelOptions = field(default_factory=ChannelOptions)
    crosstalk_margin_db: float | None = 15.0
    language_stretch_s: float = 150.0
    stereo_prompt: str | None = None
    model: str | None = None
    rep_name: str | None = None
    profiles: tuple[VoiceProfile, ...] = ()
    uploader: str | None = None

    def __post_init__(self) -> None:
        if self.rep_channel not in (0, 1):
            raise ValueError("rep_channel must be 0 (left) or 1 (right)")
        if self.num_speakers is not None and self.num_speakers < 1:
            raise ValueError("num_speakers must be at least 1")
        if self.block_s < 2 * self.cut_search_s:
            raise ValueError("block_s must be at least twice cut_search_s")


# ----------------------------------------------------------------------------------------------
# Blocks


def _quietest_cut(block: FloatArray, search_n: int) -> int:
    """Index (in samples) of the quietest 100 ms frame centre within the last `search_n` samples."""
    frame = SAMPLE_RATE // 10
    n = int(block.shape[1])
    start = max(0, n - search_n)
    region = block[:, start : start + (n - start) // frame * frame]
    if region.shape[1] < frame:
        return n
    energy = (region.reshape(region.shape[0], -1, frame) ** 2).mean(axis=2).max(axis=0)
    return start + int(np.argmin(energy)) * frame + frame // 2


def iter_blocks(
    chunks: Iterator[AudioChunk], block_s: float, cut_search_s: float
) -> Iterator[tuple[FloatArray, float]]:
    """Regroup decoded chunks into blocks of about `block_s` seconds, each cut at the quietest
    point of its last `cut_search_s` seconds; yields (samples (channels, n), offset_s)."""
    block_n = int(block_s * SAMPLE_RATE)
    search_n = int(cut_search_s * SAMPLE_RATE)
    buffer: FloatArray | None = None
    offset_n = 0
    for chunk in chunks:
        buffer = chunk.samples if buffer is None else np.concatenate([buffer, chunk.samples], axis=1)
        while buffer.shape[1] >= block_n + search_n:
            cut = _quietest_cut(buffer[:, :block_n], search_n)
            yield np.ascontiguousarray(buffer[:, :cut]), offset_n / SAMPLE_RATE
            offset_n += cut
            buffer = buffer[:, cut:]
    if buffer is not None and buffer.shape[1]:
        yield np.ascontiguousarray(buffer), offset_n / SAMPLE_RATE


# ----------------------------------------------------------------------------------------------
# Stereo


def _drop_crosstalk(
    words: list[Word], own: FloatArray, other: FloatArray, offset_s: float, margin_db: float
) -> list[Word]:
    """Drop words during which this channel is `margin_db` quieter than the other (levelled)."""

    def speech_level(x: FloatArray) -> float:
        frame = SAMPLE_RATE // 20
        usable = x[: x.size // frame * frame].reshape(-1, frame)
        if usable.size == 0:
            return 1e-10
        rms = np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1))
        return float(max(np.percentile(rms, 95), 1e-10))

    own_ref, other_ref = speech_level(own), speech_level(other)
    kept: list[Word] = []
    for w in words:
        a = max(0, int((w.start - offset_s) * SAMPLE_RATE))
        b = max(a + 1, int((w.end - offset_s) * SAMPLE_RATE))
        own_rms = (
            float(np.sqrt((own[a:b].astype(np.float64) ** 2).mean())) / own_ref if b <= own.size else 1.0
        )
        other_rms = (
            float(np.sqrt((other[a:b].astype(np.float64) ** 2).mean())) / other_ref
            if b <= other.size
            else 0.0
        )
        if 20 * np.log10(max(other_rms, 1e-10) / max(own_rms, 1e-10)) >= margin_db:
            continue
        kept.append(w)
    return kept


class _StereoTranscriber:
    """Both channels of each block through Whisper, in parallel when allowed."""

    def __init__(self, options: TranscribeOptions) -> None:
        self.options = options
        cpus = available_cpus()
        self.parallel = options.parallel_channels and cpus >= 2
        if self.parallel:
            self.router = LanguageRouter(options.asr, options.language_stretch_s, num_workers=2,
                                         cpu_threads=max(1, cpus // 2))
        else:
            self.router = LanguageRouter(options.asr, options.language_stretch_s)
        self.pool = ThreadPoolExecutor(max_workers=2) if self.parallel else None

    def block_words(
        self, block: FloatArray, offset_s: float, spans: list[LanguageSpan],
        on_progress: Callable[[float], None] | None = None,
    ) -> list[Word]:
        """`on_progress(seconds)`: how far both channels got, on average, as segments are decoded."""
        asr = self.options.asr
        if asr.initial_prompt is None and self.options.stereo_prompt is not None:
            asr = replace(asr, initial_prompt=self.options.stereo_prompt)
        reached = [offset_s, offset_s]

        def channel(c: int) -> list[Word]:
            def progress(t: float) -> None:
                reached[c] = t
                if on_progress is not None:
                    on_progress((reached[0] + reached[1]) / 2)

            return self.router.transcribe(block[c], spans, asr, speaker=f"S{c + 1}", offset_s=offset_s,
                                          on_progress=progress)

        if self.pool is not None:
            per_channel = list(self.pool.map(channel, (0, 1)))
        else:
            per_channel = [channel(0), channel(1)]
        margin = self.options.crosstalk_margin_db
        if margin is not None:
            per_channel = [
                _drop_crosstalk(per_channel[c], block[c], block[1 - c], offset_s, margin) for c in (0, 1)
            ]
        return per_channel[0] + per_channel[1]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _stereo_speakers(rep_channel: int, rep_name: str | None) -> list[Speaker]:
    return [
        Speaker(
            id=f"S{c + 1}",
            role="rep" if c == rep_channel else "customer",
            name=rep_name if c == rep_channel else None,
            channel=c,
            role_source="channel",
        )
        for c in (0, 1)
    ]


# ----------------------------------------------------------------------------------------------
# Mono


def _new_diarizer(opts: TranscribeOptions, total_s: float | None, hook: ProgressHook) -> OverlapDiarizer:
    """The mono diarizer, reporting "diarize" progress in segmentation windows done / the call's
    total (windows of the call's probed duration; unknown without one)."""
    # Imported here, not at the top: it loads torch and the speaker models, which the stereo
    # path never needs.
    from transcription.diarization import OverlapDiarizationParams, OverlapDiarizer
    from transcription.diarization.overlap_diarizer import count_windows

    params = OverlapDiarizationParams()
    windows = count_windows(total_s, params) if total_s else None

    def done(n: int) -> None:
        hook("diarize", completed=n if windows is None else min(n, windows), total=windows)

    if opts.force_speakers:
        return OverlapDiarizer(params, num_speakers=opts.num_speakers, on_windows=done)
    return OverlapDiarizer(params, most_speakers=opts.num_speakers, on_windows=done)


# ----------------------------------------------------------------------------------------------


def transcribe_file(
    path: str | Path, options: TranscribeOptions | None = None, hook: ProgressHook = no_progress
) -> Transcript:
    """Transcribe the recording at `path` into words with times and speakers.

    True stereo gives speakers S1 (left) and S2 (right) with roles from `rep_channel`; other
    recordings are diarized, with roles "unknown" unless a speaker matches one of
    `options.profiles`. Silence gives a Transcript without words and
    the warning "no speech found". Raises the errors of `transcription.audio` for bad input and
    `ModelNotFoundError` when the speech model is missing. Progress goes to `hook` as steps
    "decode" and "transcribe" in seconds of audio, and on mono "diarize" in segmentation windows
    analysed (each block's windows right after its transcription), ending at 1 of 1 once the
    speakers are clustered.
    """
    opts = options or TranscribeOptions()
    if opts.model is not None:
        opts = replace(opts, asr=replace(opts.asr, model=opts.model))
    info = probe_audio(path)
    total = info.duration_s or None
    whisper = load_whisper(opts.asr)  # fail on a missing model before decoding anything
    unheard: list[UnheardSpeech] = []  # speech that gave no words (another language?): warned below
    report: ChannelReport | None = None
    stereo: _StereoTranscriber | None = None
    router: LanguageRouter | None = None
    diarizer: OverlapDiarizer | None = None
    words: list[Word] = []
    decoded_s = 0.0
    hook("decode", completed=0.0, total=total)
    hook("transcribe", completed=0.0, total=total)
    try:
        for block, offset_s in iter_blocks(
            iter_audio_chunks(path, chunk_s=30.0), opts.block_s, opts.cut_search_s
        ):
            decoded_s = offset_s + block.shape[1] / SAMPLE_RATE
            hook("decode", completed=decoded_s, total=total)
            if report is None:
                report = classify_channels(block, opts.channels)
                logger.info("channels: %s", report)
                if report.layout == "stereo":
                    stereo = _StereoTranscriber(opts)
                    router = stereo.router
                else:
                    router = LanguageRouter(opts.asr, opts.language_stretch_s)
                    if opts.diarize:
                        diarizer = _new_diarizer(opts, total, hook)
            def transcribed(t: float, end_s: float = decoded_s) -> None:
                hook("transcribe", completed=min(t, end_s), total=total)

            assert router is not None
            naming = router.naming_model(whisper)  # names the language of speech that gave no words
            if stereo is not None:
                spans = router.block_spans(block.mean(axis=0, dtype=np.float32), offset_s)
                block_words = stereo.block_words(block, offset_s, spans, transcribed)
                for c in (0, 1):
                    heard = [w for w in block_words if w.speaker == f"S{c + 1}"]
                    missed = unheard_speech(block[c], offset_s, heard, naming)
                    rescued, missed = router.rescue(block[c], offset_s, spans, missed, opts.asr, speaker=f"S{c + 1}")
                    block_words.extend(rescued)
                    unheard.extend(missed)
                words.extend(block_words)
            else:
                mono = to_mono(block, report)
                spans = router.block_spans(mono, offset_s)
                block_words = router.transcribe(mono, spans, opts.asr, speaker="S1", offset_s=offset_s,
                                                on_progress=transcribed)
                missed = unheard_speech(mono, offset_s, block_words, naming)
                rescued, missed = router.rescue(mono, offset_s, spans, missed, opts.asr, speaker="S1")
                block_words.extend(rescued)
                unheard.extend(missed)
                words.extend(block_words)
                hook("transcribe", completed=decoded_s, total=total)
                if diarizer is not None:  # this block's segmentation windows: "diarize" progress
                    diarizer.add_audio(mono, offset_s)
            if stereo is not None:
                hook("transcribe", completed=decoded_s, total=total)
    finally:
        if stereo is not None:
            stereo.close()

    words.sort(key=lambda w: (w.start, w.end))
    warnings: list[str] = []
    source: TranscriptSource
    embeddings: dict[str, npt.NDArray[np.floating]] = {}
    encoder: str | None = None
    turns: list[SpeakerTurn] = []
    speakers_note: SpeakersNote | None = None
    if stereo is not None:
        speakers = _stereo_speakers(opts.rep_channel, opts.rep_name)
        source = "audio-stereo"
        turns = merge_turns([SpeakerTurn(w.speaker, w.start, w.end) for w in words], CHANNEL_TURN_PAUSE_S)
    else:
        source = "audio-mono"
        if diarizer is not None:
            segments = diarizer.finish()
            embeddings = diarizer.speaker_embeddings
            if words and not opts.force_speakers:
                from transcription.diarization.count import settle_count, speakers_note_of

                expected = opts.num_speakers if opts.num_speakers is not None else opts.default_speakers
                decision = settle_count(diarizer, segments, words, expected,
                                        hinted=opts.num_speakers is not None)
                segments, embeddings = decision.segments, decision.embeddings
                speakers_note = speakers_note_of(decision)
                if decision.warning:
                    warnings.append(decision.warning)
            if words:
                from transcription.diarization import assign_speakers

                words = assign_speakers(words, segments)
            # Turns of speakers who got words only: a voice heard only under another is not listed.
            with_words = {w.speaker for w in words}
            turns = merge_turns([SpeakerTurn(s.speaker, s.start, s.end) for s in segments if s.speaker in with_words])
            encoder = diarizer.encoder_id
            hook("diarize", completed=1.0, total=1.0)
        ids = sorted({w.speaker for w in words}, key=lambda s: (len(s), s))
        speakers = [Speaker(id=s) for s in ids]
    if not words:
        warnings.append(NO_SPEECH_WARNING)
    if router is not None:
        warnings.extend(router.warnings())
    warnings.extend(unheard_warnings(unheard, detected=opts.asr.language == AUTO))
    transcript = Transcript(
        duration_s=round(decoded_s, 3),
        speakers=speakers,
        words=words,
        source=source,
        warnings=warnings,
        speaker_turns=turns,
        speakers_note=speakers_note,
        language=router.language() if router is not None else ENGLISH if opts.asr.language == AUTO
        else opts.asr.language,
    )
    if opts.profiles and speakers:
        from transcription.roles import assign_roles

        transcript = assign_roles(
            transcript,
            rep_channel=opts.rep_channel if stereo is not None else None,
            profiles=list(opts.profiles),
            speaker_embeddings=embeddings,
            encoder=encoder,
            uploader=opts.uploader,
        )
    return transcript
