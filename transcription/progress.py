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
