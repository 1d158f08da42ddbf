"""`load_once`: a loader that runs once per process, however many threads ask for it at once.

`functools.lru_cache` caches a result but lets two threads that call before the first result is
in both run the loader (a model loaded twice: seconds of CPU and its memory twice over, as when
the server's job threads take their first calls together). Here the first caller loads and the
others wait for its result; a loader that raises is tried again by the next caller.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    def __init__(self, loader: Callable[[], T]) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded = False
        self._value: T | None = None
        functools.update_wrapper(self, loader)

    def __call__(self) -> T:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._value = self._loader()
                    self._loaded = True
        return self._value  # type: ignore[return-value]  # set above, before _loaded

    def cache_clear(self) -> None:
        """Forget the loaded value; the next call loads again (tests)."""
        with self._lock:
            self._loaded, self._value = False, None


def load_once(loader: Callable[[], T]) -> _Once[T]:
    """Decorate a loader without arguments: its value is computed on the first call, once."""
    return _Once(loader)
