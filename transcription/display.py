"""How times, percentages and numbers are written for people: one module for the CLI, the pages,
live cards, webhooks and e-mail-like text, so that a moment reads the same everywhere.

A time is cut to the whole second, never rounded up: the player shows 2:02 from 122.0 s to
122.99 s, and a tracker heard at 122.7 s is listed at 2:02 on the page, in the CLI and in a CRM
note alike.
"""

from __future__ import annotations

import math


def clock(seconds: float | None, *, missing: str = "-") -> str:
    """`83.4` -> `1:23`, `3725` -> `1:02:05`; `None` (or not finite) -> `missing`."""
    if seconds is None or not math.isfinite(seconds):
        return missing
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(fraction: float | None, *, missing: str = "-") -> str:
    """`0.654` -> `65%`; `None` (or not finite) -> `missing`."""
    if fraction is None or not math.isfinite(fraction):
        return missing
    return f"{fraction * 100:.0f}%"


def signed_percent(fraction: float) -> str:
    """`0.12` -> `+12%`, `-0.05` -> `-5%` (a difference between two rates)."""
    return f"{fraction * 100:+.0f}%"


def number(value: float | None, unit: str = "", digits: int = 1, *, missing: str = "-") -> str:
    """`12.345, " s"` -> `12.3 s`; `None` -> `missing`."""
    if value is None or not math.isfinite(value):
        return missing
    return f"{value:.{digits}f}{unit}"


def hours_minutes(seconds: float) -> str:
    """A length as people say it: `10800` -> `3 h 0 min`, `2712` -> `45 min`, `20` -> `20 s`."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A number for JSON: rounded, and None when missing or not finite (JSON has no NaN)."""
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


__all__ = ["clock", "hours_minutes", "number", "percent", "rounded", "signed_percent"]
