"""Synthetic call corpora with planted effects of known size, to check that insights find what is
there and nothing else.

Each call gets independent binary behaviours; its win probability is `base_win_rate` times the true
risk ratio of every planted behaviour it shows. Because behaviours are independent, each planted
behaviour's marginal risk ratio (win rate with / without) is exactly its planted ratio, so
`lift = ratio - 1` is the value an interval must cover. Null behaviours (ratio 1) and continuous
null metrics are generated the same way. `synthetic_analysis` also writes a small transcript whose
words show the planted behaviours (for end-to-end runs through the language stage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coaching.features import METRIC_NAMES, CallFeatures, FeatureColumns
from coaching.insights import Comparison, InsightOptions, InsightReport, compute_insights
from nlp.analysis import CallAnalysis
from nlp.types import CallMetrics, Question, TrackerHit
from transcription.types import Speaker, Transcript, Word


@dataclass(frozen=True, slots=True)
class PlantedEffect:
    """A behaviour with its true risk ratio. `feature` names the insight feature it drives."""

    feature: str
    prevalence: float
    risk_ratio: float

    @property
    def lift(self) -> float:
        return self.risk_ratio - 1.0


# talk_ratio <= 0.65 and an open question in the first 90 s help, a next step helps, pricing is null,
# a competitor mention is null, reading a script fast (words per minute) and fillers are nulls.
DEFAULT_EFFECTS: tuple[PlantedEffect, ...] = (
    PlantedEffect("open_questions_first_90s", 0.5, 1.8),
    PlantedEffect("talk_ratio", 0.6, 1.7),
    PlantedEffect("tracker:next_steps", 0.5, 1.5),
    PlantedEffect("tracker:pricing", 0.5, 1.0),
    PlantedEffect("tracker:competitors", 0.4, 1.0),
)
BASE_WIN_RATE = 0.2


@dataclass(frozen=True, slots=True)
class SyntheticCorpus:
    calls: list[CallFeatures]
    effects: tuple[PlantedEffect, ...]


def make_corpus(
    n_calls: int = 600,
    seed: int = 7,
    effects: tuple[PlantedEffect, ...] = DEFAULT_EFFECTS,
    base_win_rate: float = BASE_WIN_RATE,
    n_reps: int = 8,
) -> SyntheticCorpus:
    """`n_calls` calls with independent behaviours and outcomes drawn from the planted ratios."""
    top = base_win_rate * float(np.prod([max(e.risk_ratio, 1.0) for e in effects]))
    if top > 1.0:
        raise ValueError(f"planted ratios push a win probability to {top:.2f} > 1; lower base_win_rate")
    rng = np.random.default_rng(seed)
    shows = {e.feature: rng.random(n_calls) < e.prevalence for e in effects}
    p_win = np.full(n_calls, base_win_rate)
    for e in effects:
        p_win = p_win * np.where(shows[e.feature], e.risk_ratio, 1.0)
    won = rng.random(n_calls) < p_win
    duration = rng.uniform(300, 2400, n_calls)
    calls: list[CallFeatures] = []
    for i in range(n_calls):
        metrics: dict[str, float | None] = dict.fromkeys(METRIC_NAMES, None)
        # Null continuous metrics: noise unrelated to the outcome.
        metrics["longest_monologue_s"] = float(rng.gamma(3.0, 20.0))
        metrics["longest_customer_story_s"] = float(rng.gamma(2.0, 30.0))
        metrics["interactivity"] = float(rng.normal(4.0, 1.0))
        metrics["patience_s"] = float(rng.gamma(4.0, 0.2))
        metrics["words_per_minute_rep"] = float(rng.normal(150.0, 20.0))
        metrics["filler_rate_rep"] = float(rng.gamma(2.0, 1.0))
        metrics["question_count_rep"] = float(rng.poisson(9))
        metrics["question_count_customer"] = float(rng.poisson(4))
        metrics["open_question_count_rep"] = float(rng.poisson(3))
        metrics["first_question_s"] = float(rng.gamma(2.0, 30.0))
        if "talk_ratio" in shows:
            good = shows["talk_ratio"][i]
            metrics["talk_ratio"] = float(rng.uniform(0.35, 0.65) if good else rng.uniform(0.66, 0.85))
        else:
            metrics["talk_ratio"] = float(rng.uniform(0.35, 0.85))
        if "open_questions_first_90s" in shows:
            metrics["open_questions_first_90s"] = float(1 + rng.poisson(0.5)) if shows[
                "open_questions_first_90s"
            ][i] else 0.0
        trackers = frozenset(
            e.feature.split(":", 1)[1] for e in effects if e.feature.startswith("tracker:") and shows[e.feature][i]
        )
        calls.append(
            CallFeatures(
                call_id=f"call{i:05d}",
                rep=f"rep{i % n_reps}",
                outcome=bool(won[i]),
                duration_s=float(duration[i]),
                metrics=metrics,
                trackers=trackers,
            )
        )
    return SyntheticCorpus(calls, effects)


def synthetic_analysis(call: CallFeatures) -> CallAnalysis:
    """A short two-speaker transcript whose content shows the call's planted behaviours, with the
    call's metrics attached as the metric stage would. Used for end-to-end and suggestion tests."""
    lines: list[tuple[str, float, str]] = [("S1", 2.0, "Hi, this is Sam from Acme, thanks for your time.")]
    questions: list[Question] = []
    trackers: list[TrackerHit] = []
    t = 8.0
    if (call.metrics.get("open_questions_first_90s") or 0) >= 1:
        lines.append(("S1", t, "What made you look at new tools this quarter?"))
        questions.append(Question("S1", t, t + 3, lines[-1][2], "open"))
    else:
        lines.append(("S1", t, "Let me walk you through our platform and its features."))
    lines.append(("S2", 15.0, "Sure, we mainly need better coaching for new reps."))
    t = 120.0
    if "pricing" in call.trackers:
        lines.append(("S2", t, "How much does it cost per seat?"))
        trackers.append(TrackerHit("pricing", "S2", t, t + 3, lines[-1][2], "phrase", "cost"))
        t += 10
    if "competitors" in call.trackers:
        lines.append(("S2", t, "We also looked at Gong last year."))
        trackers.append(TrackerHit("competitors", "S2", t, t + 3, lines[-1][2], "phrase", "Gong"))
        t += 10
    if "next_steps" in call.trackers:
        lines.append(("S1", t, "Let's book a follow-up next Thursday."))
        trackers.append(TrackerHit("next_steps", "S1", t, t + 3, lines[-1][2], "phrase", "follow-up"))
    words: list[Word] = []
    for speaker, start, text in lines:
        for j, tok in enumerate(text.split()):
            words.append(Word(start + 0.3 * j, start + 0.3 * j + 0.25, tok, speaker))
    words.sort(key=lambda w: w.start)
    m = call.metrics
    metrics = CallMetrics(
        talk_ratio=m.get("talk_ratio"),
        longest_monologue_s=m.get("longest_monologue_s"),
        longest_customer_story_s=m.get("longest_customer_story_s"),
        interactivity=m.get("interactivity"),
        patience_s=m.get("patience_s"),
        question_count_rep=int(m.get("question_count_rep") or 0),
        question_count_customer=int(m.get("question_count_customer") or 0),
        open_question_count_rep=int(m.get("open_question_count_rep") or 0),
        open_questions_first_90s=int(m.get("open_questions_first_90s") or 0),
        first_question_s=m.get("first_question_s"),
        words_per_minute_rep=m.get("words_per_minute_rep"),
        filler_rate_rep=m.get("filler_rate_rep"),
    )
    transcript = Transcript(
        duration_s=max(call.duration_s, words[-1].end),
        speakers=[Speaker("S1", "rep", call.rep), Speaker("S2", "customer", "Customer")],
        words=words,
        source="json",
    )
    return CallAnalysis(transcript, questions=questions, trackers=trackers, metrics=metrics)


def early_open_questions_report(split: float = 1.0, n_calls: int = 500, seed: int = 17) -> InsightReport:
    """The insight report of a synthetic team in which at least `split` open questions by the rep
    in the first 90 s go with winning (win rate 0.5 against 0.25; counts 0-3, uniform), compared
    at that split: stored insights for live-card tests and benches."""
    rng = np.random.default_rng(seed)
    count = rng.integers(0, 4, n_calls).astype(float)
    won = rng.random(n_calls) < np.where(count >= split, 0.5, 0.25)
    cols = FeatureColumns.from_arrays(outcome=won.astype(float), duration_s=np.full(n_calls, 900.0),
                                      metrics={"open_questions_first_90s": count})
    comp = Comparison("open_questions_first_90s", ">=", split, "presence (at least one)" if split == 1 else "team split")
    return compute_insights(cols, InsightOptions(regression=False), comparisons=[comp])


__all__ = ["BASE_WIN_RATE", "DEFAULT_EFFECTS", "PlantedEffect", "SyntheticCorpus", "early_open_questions_report",
           "make_corpus", "synthetic_analysis"]
