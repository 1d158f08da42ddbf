"""Decide what a two-channel recording is: one speaker per channel, or mono in disguise.

Dialers and call recorders put the rep on one channel and the customer on the other. Many other
files are "fake stereo": the same mix copied to both channels (jfk.flac), or one channel silent.
Treating those as two speakers would transcribe everything twice, so they take the mono path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

ChannelLayout = Literal["mono", "fake-stereo", "one-sided", "stereo"]


@dataclass(frozen=True, slots=True)
class ChannelOptions:
    """Thresholds for `classify_channels`.

    `identical_residual_db`: the channels count as copies when the energy of L - R (after the
    best gain match) is this many dB below the energy of the louder channel. Copies differ only
    by codec noise (jfk.flac: -32 dB); two real speakers with echo stay above -10 dB.
    `silent_channel_db`: a channel this many dB below the other holds nothing worth transcribing.
    """

    identical_residual_db: float = -20.0
    silent_channel_db: float = -40.0


@dataclass(frozen=True, slots=True)
class ChannelReport:
    """What `classify_channels` found: the layout, and the measured dB values behind it.
    `louder_channel` is the channel to keep for "one-sided" recordings."""

    layout: ChannelLayout
    residual_db: float
    level_difference_db: float
    louder_channel: int


def _db(energy: float, reference: float) -> float:
    return float(10.0 * np.log10(max(energy, 1e-20) / max(reference, 1e-20)))


def classify_channels(
    samples: npt.NDArray[np.float32], options: ChannelOptions | None = None
) -> ChannelReport:
    """Classify `samples` (shape (channels, n)): "mono" for one channel, "fake-stereo" for two
    copies of one signal, "one-sided" when one channel is (near) silent, else "stereo" (a
    speaker per channel). Pure arithmetic on the samples given: pass the first minute or so."""
    opts = options or ChannelOptions()
    if samples.ndim != 2 or samples.shape[0] == 1:
        return ChannelReport("mono", float("-inf"), 0.0, 0)
    left = samples[0].astype(np.float64)
    right = samples[1].astype(np.float64)
    e_left = float(np.dot(left, left))
    e_right = float(np.dot(right, right))
    louder = 0 if e_left >= e_right else 1
    level_diff = abs(_db(e_left, e_right))
    if max(e_left, e_right) < 1e-12:
        # Digital silence on both sides: nothing to separate.
        return ChannelReport("fake-stereo", float("-inf"), 0.0, 0)
    if level_diff >= -opts.silent_channel_db:
        return ChannelReport("one-sided", 0.0, level_diff, louder)
    # Remove a gain difference first: a copy at another volume is still a copy.
    gain = float(np.dot(left, right) / max(e_right, 1e-20))
    residual = left - gain * right
    residual_db = _db(float(np.dot(residual, residual)), max(e_left, e_right))
    layout: ChannelLayout = "fake-stereo" if residual_db <= opts.identical_residual_db else "stereo"
    return ChannelReport(layout, residual_db, level_diff, louder)


def to_mono(samples: npt.NDArray[np.float32], report: ChannelReport) -> npt.NDArray[np.float32]:
    """The single signal of a non-"stereo" recording: the louder channel of a one-sided file,
    the average of a fake-stereo one. Shape (n,)."""
    if samples.shape[0] == 1:
        return np.ascontiguousarray(samples[0])
    if report.layout == "one-sided":
        return np.ascontiguousarray(samples[report.louder_channel])
    return np.ascontiguousarray(samples.mean(axis=0, dtype=np.float32))
