"""Time insights over many calls (target: 100,000 calls in under 5 s on this machine).

Usage: .venv/bin/python -m bench.insights_scale [--calls 100000] [--repeat 3]

Rows:
- `columns -> insights (no regression)`: the database path (`FeatureColumns.from_arrays`, what the
  service builds from SQL columns) through every 2x2 comparison, Fisher and BH.
- `columns -> insights + regression`: the same plus the adjusted logistic regression (the full
  `GET /v1/insights` work).
- `CallFeatures -> columns`: stacking Python objects into columns (what the CLI does).
- baseline `python loop, 2x2 counts only`: counting the 2x2 cells call by call in plain Python, the
  thing the target forbids; the ratio column is each row's time over this baseline's.
- `SQLite rows -> GET /v1/insights work` (with `--db`): the calls stored as feature rows and
  outcomes in a temporary SQLite database, read back and aggregated as the endpoint does.
Best of `--repeat` runs each.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from coaching.features import CallFeatures, FeatureColumns
from coaching.insights import InsightOptions, compute_insights, default_comparisons
from coaching.synthetic import make_corpus


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and the CPU time of that run (the machine is shared: CPU shows our own cost)."""
    runs = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    return min(runs)


def db_path(calls: list[CallFeatures]) -> Callable[[], object]:
    """Store the calls as `CallFeatureRow`s + outcomes in a temporary SQLite database (the embedded
    default) and return what `GET /v1/insights` does for an admin key: read columns, aggregate."""
    import tempfile

    from sqlalchemy import insert
    from sqlmodel import Session

    from coaching.features import METRIC_NAMES
    from models import Call, Outcome
    from models.coaching import CallFeatureRow
    from service.api.deps import Principal
    from service.core.accounts import create_org
    from service.core.config import Settings
    from service.core.db import get_engine, run_migrations
    from service.domain.insights import visible_feature_columns

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="tt-bench-")))
    run_migrations(settings)
    engine = get_engine(settings)
    with Session(engine) as s:
        org_id = create_org(s, "bench").id
        s.commit()
        ids = [f"c{i:07d}" for i in range(len(calls))]
        s.execute(insert(Call), [{"id": i, "org_id": org_id, "media_kind": "vtt", "status": "done",
                                  "rep_name": c.rep, "crm_ids": {}} for i, c in zip(ids, calls, strict=True)])
        s.execute(insert(CallFeatureRow), [
            {"call_id": i, "org_id": org_id, "rep": c.rep, "duration_s": c.duration_s, "has_timing": True,
             "trackers": sorted(c.trackers), "rep_question_types": {}, **{m: c.metrics.get(m) for m in METRIC_NAMES}}
            for i, c in zip(ids, calls, strict=True)])
        s.execute(insert(Outcome), [{"id": f"o{i}", "org_id": org_id, "call_id": i,
                                     "outcome": "won" if c.outcome else "lost"} for i, c in zip(ids, calls, strict=True)])
        s.commit()
    principal = Principal(key_id="bench", org_id=org_id, role="admin")

    def run() -> None:
        with Session(engine) as s:
            compute_insights(visible_feature_columns(s, principal))

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", action="store_true", help="also time the service path: stored rows in a temp SQLite")
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

    db_rows = [("SQLite rows -> GET /v1/insights work", best_of(args.repeat, db_path(calls)))] if args.db else []
    rows = [
        ("python loop, 2x2 counts only (baseline)", best_of(args.repeat, python_loop)),
        ("columns -> insights (no regression)", best_of(args.repeat, lambda: from_db_columns(False))),
        ("columns -> insights + regression", best_of(args.repeat, lambda: from_db_columns(True))),
        ("CallFeatures -> columns", best_of(args.repeat, lambda: FeatureColumns.from_features(calls))),
        *db_rows,
    ]
    base = rows[0][1][0]
    print(f"{args.calls:,} calls, {len(comps)} features, best of {args.repeat}")
    print(f"| {'step':<42} | {'wall s':>8} | {'CPU s':>8} | {'x baseline (wall)':>17} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 10}|{'-' * 19}|")
    for name, (wall, cpu) in rows:
        print(f"| {name:<42} | {wall:8.3f} | {cpu:8.3f} | {wall / base:17.3f} |")
    load = os.getloadavg()[0]
    for name, (wall, cpu) in rows[2:3] + db_rows:
        verdict = "met" if wall < 5 else ("NOT met in wall time" + (" (CPU time is under 5 s)" if cpu < 5 else ""))
        print(f"target < 5 s for {args.calls:,} calls, {name}: {verdict}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores (shared machine)")


if __name__ == "__main__":
    main()
