"""Time insights over many calls (issue 6 target: 100,000 calls in under 5 s on this machine).

Usage: .venv/bin/python bench/insights_scale.py [--calls 100000] [--repeat 3]

Rows:
- `columns -> insights (no regression)`: the database path (`FeatureColumns.from_arrays`, what the
  service builds from SQL columns) through every 2x2 comparison, Fisher and BH.
- `columns -> insights + regression`: the same plus the adjusted logistic regression (the full
  `GET /v1/insights` work).
- `CallFeatures -> columns`: stacking Python objects into columns (what the CLI does).
- baseline `python loop, 2x2 counts only`: counting the 2x2 cells call by call in plain Python, the
  thing the target forbids; the ratio column is each row's time over this baseline's.
Best of `--repeat` runs each.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coaching.features import FeatureColumns  # noqa: E402
from coaching.insights import InsightOptions, compute_insights, default_comparisons  # noqa: E402
from coaching.synthetic import make_corpus  # noqa: E402


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    corpus = make_corpus(n_calls=args.calls, seed=11, n_reps=40)
    calls = corpus.calls
    cols = FeatureColumns.from_features(calls)
    arrays = {
        "outcome": cols.outcome.copy(),
        "duration_s": cols.duration_s.copy(),
        "metrics": {k: v.copy() for k, v in cols.metrics.items()},
        "trackers": {k: v.copy() for k, v in cols.trackers.items()},
        "rep": cols.rep.copy(),
    }
    comps = default_comparisons(cols)

    def python_loop() -> None:
        # Call-by-call counting of every 2x2 table: the approach the target rules out.
        for comp in comps:
            cells = [0, 0, 0, 0]
            for c in calls:
                if comp.feature.startswith("tracker:"):
                    hit = comp.feature[8:] in c.trackers
                else:
                    v = c.metrics.get(comp.feature)
                    if v is None or comp.threshold is None:
                        continue
                    hit = v <= comp.threshold if comp.op == "<=" else v >= comp.threshold
                cells[(0 if hit else 2) + (0 if c.outcome else 1)] += 1

    def from_db_columns(regression: bool) -> None:
        db_cols = FeatureColumns.from_arrays(**arrays)  # type: ignore[arg-type]
        compute_insights(db_cols, InsightOptions(regression=regression))

    rows = [
        ("python loop, 2x2 counts only (baseline)", best_of(args.repeat, python_loop)),
        ("columns -> insights (no regression)", best_of(args.repeat, lambda: from_db_columns(False))),
        ("columns -> insights + regression", best_of(args.repeat, lambda: from_db_columns(True))),
        ("CallFeatures -> columns", best_of(args.repeat, lambda: FeatureColumns.from_features(calls))),
    ]
    base = rows[0][1]
    print(f"{args.calls:,} calls, {len(comps)} features, best of {args.repeat}")
    print(f"| {'step':<42} | {'seconds':>8} | {'x baseline':>10} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 12}|")
    for name, secs in rows:
        print(f"| {name:<42} | {secs:8.3f} | {secs / base:10.3f} |")
    full = rows[2][1]
    print(f"target: insights over {args.calls:,} calls < 5 s -> {'met' if full < 5 else 'NOT met'} ({full:.2f} s)")


if __name__ == "__main__":
    main()
