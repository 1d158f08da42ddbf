"""Coaching from outcomes: which behaviours win deals, benchmarks, suggestions and scorecards.

Plain library (dataclasses in and out; never imports `service` or `models`). Entry points:

- `coaching.features`: `features_from_analysis(analysis, call_id, rep, outcome) -> CallFeatures`,
  `FeatureColumns.from_features(...)` / `FeatureColumns.from_arrays(...)` (database columns).
- `coaching.insights`: `compute_insights(calls_or_columns, InsightOptions()) -> InsightReport`.
- `coaching.benchmarks`: `learn_bands(columns)`, `rep_benchmark(columns, rep, bands)`.
- `coaching.suggestions`: `suggest_for_call(analysis, insights=None, playbook=None)`, and the
  incremental `SuggestionEngine` (`add_utterance(Utterance)`) the live path uses.
- `coaching.playbook`: `load_playbook(path=None)`, `Playbook.match(text, role, trackers)`, and
  per-language wording of a situation (`Situation.in_language("zh")`).
- `coaching.wording`: the sentences the suggestion engine and live cards compose themselves, per
  language (English, Chinese).
- `coaching.scorecards`: rubrics, `auto_score`, `override`, `add_comment`, `rep_aggregates`.
- `coaching.synthetic`: corpora with planted effects (tests and benchmarks).

Submodules are imported explicitly (nothing here), so the live path does not pay for statsmodels.
"""
