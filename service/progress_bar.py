"""A `ProgressHook` that draws a progress bar on stderr (only for work that lasts a few seconds)."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

STEP_LABELS = {
    "decode": "decoding",
    "transcribe": "transcribing",
    "diarize": "finding speakers",
    "analyze": "analysing",
}


class ProgressBar:
    """Context manager; call the instance as a `ProgressHook`. One bar per step, shown after 2 s."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: tqdm | None = None
        self._step: str | None = None

    def __call__(self, step: str, *, completed: float, total: float | None) -> None:
        if not self._enabled:
            return
        if step != self._step:
            self.close()
            self._step = step
            unit = "s" if step in ("decode", "transcribe", "diarize") else "it"
            self._bar = tqdm(
                total=total,
                desc=STEP_LABELS.get(step, step),
                unit=unit,
                delay=2.0,
                file=sys.stderr,
                leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} [{elapsed}<{remaining}]",
            )
        if self._bar is not None:
            if total is not None and self._bar.total != total:
                self._bar.total = total
            self._bar.n = completed
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
