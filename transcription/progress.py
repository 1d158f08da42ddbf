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


# Share of a whole mono analysis each step takes: ASR 44.8 s and diarization 23.6 s on a 10-minute mono
# call (`bench/diarization_eval.py --speed`, docs/diarization.md), the language stage about 7 % of a
# run (`bench/speed.py`). "decode" runs interleaved with "transcribe" and is not counted on its own.
STEP_WEIGHTS: dict[str, float] = {"transcribe": 0.62, "diarize": 0.31, "analyze": 0.07}


class OverallProgress:
    """Folds the per-step `hook` calls of one analysis into one fraction of the whole run.

    Each step's own completion counts for its weight, and steps may interleave (mono diarization
    analyses each block right after it is transcribed, so "diarize" and "transcribe" alternate). A step
    before a reported one (in `STEP_WEIGHTS` order) that was never reported itself counts as done, so
    a skipped step (no diarization on stereo, no transcription for a transcript file) is a jump
    forward, never a step back. `step` is the step reported last. A step outside `STEP_WEIGHTS` (e.g.
    "calls" of a batch) is the whole run on its own. `fraction` never decreases.
    """

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = dict(STEP_WEIGHTS if weights is None else weights)
        self._order = list(self.weights)
        self._total = sum(self.weights.values()) or 1.0
        self.fraction = 0.0
        self.step: str | None = None
        self._parts: dict[str, float] = {}

    def update(self, step: str, completed: float, total: float | None) -> float:
        """Record one hook call; returns the new overall fraction (0..1)."""
        if step == "decode":
            return self.fraction
        self.step = step
        part = max(0.0, min(1.0, completed / total)) if total else 0.0
        if step in self.weights:
            for earlier in self._order[: self._order.index(step)]:
                self._parts.setdefault(earlier, 1.0)  # never reported: skipped
            self._parts[step] = max(self._parts.get(step, 0.0), part)
            value = sum(self.weights[s] * p for s, p in self._parts.items()) / self._total
        else:
            value = part
        self.fraction = max(self.fraction, value)
        return self.fraction
