"""Do insights find planted effects and leave nulls alone? Repeated synthetic corpora.

Usage: .venv/bin/python -m bench.insights_recovery [--calls 600] [--seeds 40]

For each seed a corpus with planted risk ratios (`coaching.synthetic.DEFAULT_EFFECTS`) is drawn and
analysed with the default options (min group 30, BH at 0.05). Printed per planted effect: how often
it came out significant with the right sign (power), how often the 95% interval covered the true
lift (coverage, nominal 95%), and for the null features the share of false positives.
"""

from __future__ import annotations

import argparse
import time

from coaching.insights import InsightOptions, compute_insights
from coaching.synthetic import make_corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=600)
    ap.add_argument("--seeds", type=int, default=40)
    args = ap.parse_args()
    found: dict[str, int] = {}
    covered: dict[str, int] = {}
    true_lift: dict[str, float] = {}
    null_tests = null_fp = 0
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        corpus = make_corpus(args.calls, seed=1000 + seed)
        report = compute_insights(corpus.calls, InsightOptions(regression=False))
        planted = {e.feature: e for e in corpus.effects if e.risk_ratio != 1.0}
        for f in report.findings:
            if f.status != "finding":
                continue
            e = planted.get(f.feature)
            if e is None:
                null_tests += 1
                null_fp += f.significant
                continue
            true_lift[e.feature] = e.lift
            found[e.feature] = found.get(e.feature, 0) + (f.significant and (f.lift or 0) > 0)
            ci = f.lift_ci or (float("nan"), float("nan"))
            covered[e.feature] = covered.get(e.feature, 0) + (ci[0] <= e.lift <= ci[1])
    secs = time.perf_counter() - t0
    print(f"{args.seeds} corpora x {args.calls} calls ({secs:.1f} s)")
    print("| planted feature | true lift | significant, right sign | 95% CI covers true lift |")
    print("|---|---|---|---|")
    for feat in sorted(true_lift):
        print(f"| {feat} | {true_lift[feat]:+.0%} | {found[feat]}/{args.seeds} | {covered[feat]}/{args.seeds} |")
    print(f"| null features (true lift 0) | +0% | false positives: {null_fp}/{null_tests} "
          f"({null_fp / max(null_tests, 1):.1%}) | - |")


if __name__ == "__main__":
    main()
