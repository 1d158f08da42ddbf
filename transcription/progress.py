"""Progress reporting shared by every long stage (after pyannote's `hook`): a stage calls
`hook(step, completed=..., total=...)`; the CLI turns it into a progress bar on stderr and the
job worker into the call's `progress` field."""

from __future__ import annotations

from typing import Protocol


class ProgressHook(Protocol):
    def __call__(self, step: str, *, completed: float, total: float | None) -> None:
        """`step` names the stage ("decode", "transcribe", "diarize", ...); `completed` and
        `total` are in the stage's own unit (seconds of audio for audio stages)."""


def no_progress(step: str, *, completed: float, total: float | None) -> None:
    """The default hook: report nothing."""


# Share of a whole analysis each step takes, from `bench/speed.py` on the mono sample call (transcribe
# 14.1 s, diarize 0.9 s, language stage 1.2 s of 16.2 s). "decode" runs interleaved with "transcribe"
# and is not counted on its own.
STEP_WEIGHTS: dict[str, float] = {"transcribe": 0.87, "diarize": 0.06, "analyze": 0.07}


class OverallProgress:
    """Folds the per-step `hook` calls of one analysis into one fraction of the whole run.

    A step's own completion counts for its weight; steps before it (in `STEP_WEIGHTS` order) count as
    done, so a skipped step (no diarization on stereo, no transcription for a transcript file) is a small
    jump forward, never a step back. A step outside `STEP_WEIGHTS` (e.g. "calls" of a batch) is the
    whole run on its own. `fraction` never decreases.
    """

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = dict(STEP_WEIGHTS if weights is None else weights)
        self._order = list(self.weights)
        self._total = sum(self.weights.values()) or 1.0
        self.fraction = 0.0
        self.step: str | None = None

    def update(self, step: str, completed: float, total: float | None) -> float:
        """Record one hook call; returns the new overall fraction (0..1)."""
        if step == "decode":
            return self.fraction
        self.step = step
        part = max(0.0, min(1.0, completed / total)) if total else 0.0
        if step in self.weights:
            before = sum(self.weights[s] for s in self._order[: self._order.index(step)])
            value = (before + self.weights[step] * part) / self._total
        else:
            value = part
        self.fraction = max(self.fraction, value)
        return self.fraction
