"""A `ProgressHook` that draws one progress bar on stderr for a whole analysis (only for work that
lasts more than a couple of seconds): the overall percentage, the current step's name, and an ETA
from the average rate since the start, so it does not jump when the step changes."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

from transcription.progress import OverallProgress

if TYPE_CHECKING:
    from tqdm import tqdm

STEP_LABELS = {
    "transcribe": "transcribing",
    "diarize": "finding speakers",
    "analyze": "analysing",
    "calls": "analysing calls",
}
LABEL_WIDTH = max(len(label) for label in STEP_LABELS.values())


class ProgressBar:
    """Context manager; call the instance as a `ProgressHook`. One bar for the whole run, shown after 2 s."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: tqdm | None = None
        self.overall = OverallProgress()

    def __call__(self, step: str, *, completed: float, total: float | None) -> None:
        if not self._enabled:
            return
        fraction = self.overall.update(step, completed, total)
        if self._bar is None:
            from tqdm import tqdm  # here: most runs never draw a bar (short, or not on a terminal)

            # smoothing=0: the ETA uses the average rate since the start, not the latest step's rate.
            self._bar = tqdm(total=100, delay=2.0, file=sys.stderr, leave=False, smoothing=0,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")
        label = STEP_LABELS.get(self.overall.step or step, self.overall.step or step)
        self._bar.set_description_str(label.ljust(LABEL_WIDTH), refresh=False)
        self._bar.n = round(100 * fraction, 1)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
