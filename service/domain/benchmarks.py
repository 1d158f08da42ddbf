"""The metric bands a call is compared with: the middle half of the won calls of the call's team
(the organization's, for a call without a team), or Gong's published bands (labelled as such) while
there are too few. A rep sees their team's bands, which are aggregates, never other reps' calls.
Cached per team for a few minutes, since learning them reads every feature row of the team."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session

from coaching.benchmarks import MetricBand, learn_bands
from service.core.access import Principal, call_scope_of

BANDS_CACHE_S = 300.0
_cache: dict[tuple[str, str, str | None, str], tuple[float, dict[str, MetricBand]]] = {}
_lock = threading.Lock()


def team_bands(session: Session, org_id: str, team_id: str | None, language: str = "en") -> dict[str, MetricBand]:
    """Bands from the won calls in `language` (a call is compared with calls of its own language);
    published bands, measured on English calls, are labelled so on a call in another language."""
    from service.domain.insights import visible_feature_columns

    # The team's (or organization's) calls, as its coach (or admin) would see them.
    principal = Principal(key_id="bands", org_id=org_id, role="coach" if team_id else "admin", team_id=team_id)
    key = (org_id, call_scope_of(principal), team_id, language)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    bands = learn_bands(visible_feature_columns(session, principal, language), language=language)
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = (now + BANDS_CACHE_S, bands)
    return bands
