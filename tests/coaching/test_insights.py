"""Insights recover planted effects and call nulls null; the statistics match textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from coaching.features import FeatureColumns, features_from_analysis
from coaching.insights import Comparison, InsightOptions, compute_insights
from coaching.stats import benjamini_hochberg, odds_ratio, risk_ratio
from coaching.synthetic import make_corpus, synthetic_analysis


@pytest.fixture(scope="module")
def corpus_report():  # type: ignore[no-untyped-def]
    corpus = make_corpus(n_calls=600, seed=7)
    return corpus, compute_insights(corpus.calls)


def test_planted_effects_are_found_with_covering_intervals(corpus_report) -> None:  # type: ignore[no-untyped-def]
    corpus, report = corpus_report
    assert report.n_calls == 600
    for effect in corpus.effects:
        if effect.risk_ratio == 1.0:
            continue
        f = report.finding(effect.feature)
        assert f is not None and f.status == "finding"
        assert f.significant, f.sentence
        assert f.lift is not None and f.lift > 0
        assert f.lift_ci is not None and f.lift_ci[0] <= effect.lift <= f.lift_ci[1], (effect, f.lift_ci)
        assert f.likelihood is not None and f.likelihood > 0
        assert f.sentence.startswith("Won calls were")


def test_nulls_are_not_significant(corpus_report) -> None:  # type: ignore[no-untyped-def]
    corpus, report = corpus_report
    planted = {e.feature for e in corpus.effects if e.risk_ratio != 1.0}
    nulls = [f for f in report.findings if f.feature not in planted and f.status == "finding"]
    assert len(nulls) >= 10
    assert not [f.feature for f in nulls if f.significant]
    pricing = report.finding("tracker:pricing")
    assert pricing is not None and pricing.sentence.startswith("No reliable link")


def test_comparisons_are_stated(corpus_report) -> None:  # type: ignore[no-untyped-def]
    _, report = corpus_report
    tr = report.finding("talk_ratio")
    assert tr is not None and tr.comparison == "talk_ratio <= 0.65" and "Gong Labs" in tr.basis
    oq = report.finding("open_questions_first_90s")
    assert oq is not None and oq.comparison == "open_questions_first_90s >= 1"
    mono = report.finding("longest_monologue_s")
    assert mono is not None and mono.basis == "median of all calls" and mono.n_with == mono.n_without == 300


def test_regression_adjusted_odds_ratios(corpus_report) -> None:  # type: ignore[no-untyped-def]
    _, report = corpus_report
    reg = report.regression
    assert reg is not None and reg.note is None and reg.n == 600
    assert "log(call length)" in reg.controls and "rep=rep1" in reg.controls
    tr, oq = reg.term("talk_ratio"), reg.term("open_questions_first_90s")
    assert tr is not None and tr.ci[1] < 1.0  # more rep talk, lower odds of winning
    assert oq is not None and oq.ci[0] > 1.0


def test_insufficient_data_guard() -> None:
    corpus = make_corpus(n_calls=50, seed=1)
    report = compute_insights(corpus.calls)
    assert all(f.status == "insufficient_data" for f in report.findings if f.status != "not_applicable")
    assert not report.significant
    f = report.findings[0]
    assert f.lift is None and f.p_value is None and "Too few calls" in f.sentence
    assert report.regression is not None and report.regression.terms == []
    assert report.regression.note is not None and report.regression.note.startswith("not fitted")


def test_stats_against_hand_computed_table() -> None:
    # a=30 won with, b=20 lost with, c=15 won without, d=35 lost without.
    a, b, c, d = (np.array([x], dtype=float) for x in (30, 20, 15, 35))
    rr = risk_ratio(a, b, c, d)
    assert rr.estimate[0] == pytest.approx(2.0)
    se = np.sqrt(1 / 30 - 1 / 50 + 1 / 15 - 1 / 50)
    assert rr.low[0] == pytest.approx(2.0 * np.exp(-1.959964 * se), rel=1e-5)
    assert rr.high[0] == pytest.approx(2.0 * np.exp(1.959964 * se), rel=1e-5)
    orr = odds_ratio(a, b, c, d)
    assert orr.estimate[0] == pytest.approx(3.5)
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, np.nan, 0.5]))
    assert q[0] == pytest.approx(0.04) and q[1] == pytest.approx(0.04 * 4 / 3) and q[2] == pytest.approx(0.04 * 4 / 3)
    assert np.isnan(q[3]) and q[4] == pytest.approx(0.5)


def test_fisher_and_columns_path_agree_with_scipy() -> None:
    rng = np.random.default_rng(3)
    n = 400
    hit = rng.random(n) < 0.4
    won = rng.random(n) < np.where(hit, 0.5, 0.3)
    cols = FeatureColumns.from_arrays(
        outcome=won.astype(float), duration_s=np.full(n, 600.0), metrics={}, trackers={"pricing": hit}
    )
    report = compute_insights(cols, InsightOptions(regression=False))
    f = report.finding("tracker:pricing")
    assert f is not None
    table = [[int((hit & won).sum()), int((hit & ~won).sum())], [int((~hit & won).sum()), int((~hit & ~won).sum())]]
    assert f.p_value == pytest.approx(sps.fisher_exact(table).pvalue)
    assert f.q_value == pytest.approx(f.p_value)  # one feature: BH changes nothing
    assert (f.n_with, f.n_without) == (int(hit.sum()), int((~hit).sum()))


def test_open_deals_and_missing_metrics_are_left_out() -> None:
    corpus = make_corpus(n_calls=200, seed=2)
    cols = FeatureColumns.from_features(corpus.calls)
    cols.outcome[:20] = np.nan  # open deals
    cols.metrics["patience_s"][:] = np.nan  # e.g. chat transcripts without timing
    report = compute_insights(cols)
    assert report.n_calls == 180
    pat = report.finding("patience_s")
    assert pat is not None and pat.status == "not_applicable"
    assert any("patience_s" in note for note in report.notes)


def test_custom_comparison() -> None:
    corpus = make_corpus(n_calls=300, seed=4)
    comp = Comparison("question_count_rep", ">=", 11, "published band (Gong Labs: 11-14 questions)")
    report = compute_insights(corpus.calls, comparisons=[comp])
    assert [f.comparison for f in report.findings] == ["question_count_rep >= 11"]
    assert report.findings[0].label == "rep questions at least 11"


def test_features_from_analysis_reads_metrics_trackers_and_rep() -> None:
    call = make_corpus(n_calls=5, seed=5).calls[0]
    analysis = synthetic_analysis(call)
    feats = features_from_analysis(analysis, "c1", outcome=True)
    assert feats.rep == call.rep and feats.outcome is True and feats.call_id == "c1"
    assert feats.trackers == call.trackers
    assert feats.metrics["talk_ratio"] == pytest.approx(call.metrics["talk_ratio"])
    analysis.transcript.has_timing = False
    untimed = features_from_analysis(analysis, "c1")
    assert untimed.metrics["talk_ratio"] is None and untimed.metrics["question_count_rep"] is not None
