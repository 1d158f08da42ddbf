"""The team insights' words in the reader's language: each behaviour's label ("rep talk ratio at
most 65%"), the basis of its comparison, the sentence that says what its numbers mean, the page's
notes and the method line.

`coaching.insights` writes them in English and must not import the service, so they are worded
again here from the `Finding` itself, with marked messages (`N_`) whose English is coaching's text
word for word (`label_message(f)` reads as `f.label`, `sentence_message(f)` as `f.sentence`; a test
keeps both in step). An English page shows coaching's own text unchanged; another language gets the
translation, or the English where coaching says something this module does not know.
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.insights import METRIC_LABELS, PRESENCE_METRICS, Finding, format_value
from service.core.i18n import DEFAULT_LOCALE, LIST_SEPARATORS, N_, Localized, Message, tr
from service.domain.insights_view import ForestRow
from transcription.display import percent, signed_percent

# How each metric of `coaching.insights.METRIC_LABELS` reads in a sentence (the same English).
METRIC_NAMES: dict[str, Message] = {
    "talk_ratio": N_("rep talk ratio"),
    "longest_monologue_s": N_("longest rep monologue"),
    "longest_customer_story_s": N_("longest customer story"),
    "interactivity": N_("speaker switches per minute"),
    "patience_s": N_("rep's pause before answering"),
    "interruptions_rep": N_("times the rep interrupted"),
    "interruptions_customer": N_("times the customer interrupted"),
    "question_count_rep": N_("rep questions"),
    "question_count_customer": N_("customer questions"),
    "open_question_count_rep": N_("rep open questions"),
    "open_questions_first_90s": N_("open questions by the rep in the first 90 s"),
    "first_question_s": N_("time to the rep's first question"),
    "words_per_minute_rep": N_("rep words per minute"),
    "filler_rate_rep": N_("rep fillers per 100 words"),
}
# "at least one ..." of a presence metric (coaching puts the name in the singular).
AT_LEAST_ONE = {"open_questions_first_90s": N_("at least one open question by the rep in the first 90 s")}
# A comparison's operator in words; the metric and the threshold are filled in.
OP_WORDS = {">=": N_("%(metric)s at least %(value)s"), "<=": N_("%(metric)s at most %(value)s"),
            ">": N_("%(metric)s more than %(value)s"), "<": N_("%(metric)s less than %(value)s")}
# Where a comparison's threshold comes from (`coaching.insights.default_comparisons`), by its English.
BASES = {str(m): m for m in (
    N_("presence"), N_("presence (at least one)"), N_("median of all calls"),
    N_("published band (Gong Labs: rep talk ratio above %(limit)s hurts)", limit="65%"))}
METHOD = N_("lift = win rate with / without - 1, %(level)s CI Katz log risk ratio; odds ratio with Woolf CI; "
            "Fisher exact two-sided p; Benjamini-Hochberg across features judged", level="95%")
NOT_AVAILABLE = N_("n/a")


@dataclass(frozen=True)
class FeatureName(Localized):
    """A feature as a sentence names it: its code in English, as coaching writes it
    ("first_question_s"), its translated name elsewhere."""

    feature: str

    def in_locale(self, locale: str) -> str:
        return self.feature if locale == DEFAULT_LOCALE else tr(locale, _name(self.feature))


@dataclass(frozen=True)
class FeatureNames(Localized):
    """Features as one list ("a, b" in English; "甲、乙" in Chinese)."""

    features: tuple[str, ...]

    def in_locale(self, locale: str) -> str:
        return LIST_SEPARATORS.get(locale, ", ").join(FeatureName(f).in_locale(locale) for f in self.features)


def _name(feature: str) -> str:
    """A metric's or a tracker's name in a sentence (a tracker's is its own, underscores as spaces)."""
    if feature.startswith("tracker:"):
        return feature.split(":", 1)[1].replace("_", " ")
    return METRIC_NAMES.get(feature, feature.replace("_", " "))


def _value(value: float | None, unit: str) -> str:
    """A threshold as `coaching.insights.format_value` writes it; seconds as a marked "%(n)s s"."""
    text = format_value(value, unit)
    if unit == "seconds" and value is not None:
        return N_("%(n)s s", n=text.removesuffix(" s"))
    return text


def label_message(f: Finding) -> str:
    """What "with" means for this finding (`coaching.insights.Comparison.label`), marked."""
    if f.feature.startswith("tracker:"):
        return N_("%(tracker)s came up", tracker=_name(f.feature))
    name = _name(f.feature)
    unit = METRIC_LABELS.get(f.feature, ("", "number"))[1]
    if f.feature in PRESENCE_METRICS and f.op == ">=" and f.threshold == 1:
        return AT_LEAST_ONE.get(f.feature) or N_("at least one %(metric)s", metric=name)
    if f.feature in PRESENCE_METRICS and f.op == ">=":
        return N_("at least %(value)s %(metric)s", value=_value(f.threshold, unit), metric=name)
    if f.op not in OP_WORDS:
        return f.label
    return Message(OP_WORDS[f.op].msgid, {"metric": name, "value": _value(f.threshold, unit)})


def sentence_message(f: Finding, min_group: int) -> str:
    """The finding in one sentence with its numbers (`coaching.insights.describe`), marked."""
    label = label_message(f)
    if f.status == "not_applicable":
        return N_("Does not apply: no call in this set has a value for %(feature)s.", feature=FeatureName(f.feature))
    if f.status == "insufficient_data":
        return N_("Too few calls to judge '%(label)s': %(n_with)s with and %(n_without)s without (at least %(min)s "
                  "on each side are needed).", label=label, n_with=f.n_with, n_without=f.n_without, min=min_group)
    if f.likelihood is None or f.likelihood_ci is None or f.q_value is None:
        return f.sentence
    rates = N_("win rate %(rate_with)s with vs %(rate_without)s without, n = %(n_with)s / %(n_without)s",
               rate_with=percent(f.win_rate_with, missing=NOT_AVAILABLE),
               rate_without=percent(f.win_rate_without, missing=NOT_AVAILABLE), n_with=f.n_with, n_without=f.n_without)
    ci = N_("95%% CI %(low)s to %(high)s", low=signed_percent(f.likelihood_ci[0]),
            high=signed_percent(f.likelihood_ci[1]))
    values = {"label": label, "pct": f"{abs(f.likelihood) * 100:.0f}", "ci": ci, "rates": rates,
              "p": f"{f.q_value:.2g}"}
    if not f.significant:
        if f.likelihood >= 0:
            return N_("No reliable link between '%(label)s' and winning: won calls had it %(pct)s%% more often than "
                      "lost calls (%(ci)s; %(rates)s; adjusted p = %(p)s).", **values)
        return N_("No reliable link between '%(label)s' and winning: won calls had it %(pct)s%% less often than "
                  "lost calls (%(ci)s; %(rates)s; adjusted p = %(p)s).", **values)
    if f.likelihood > 0:
        return N_("Won calls were %(pct)s%% more likely than lost calls to have '%(label)s' (%(ci)s; %(rates)s; "
                  "adjusted p = %(p)s).", **values)
    return N_("Won calls were %(pct)s%% less likely than lost calls to have '%(label)s' (%(ci)s; %(rates)s; "
              "adjusted p = %(p)s).", **values)


@dataclass(frozen=True)
class RowWords:
    """A forest-plot row's words in the page's language."""

    label: str
    basis: str
    sentence: str


def row_words(locale: str, row: ForestRow, min_group: int) -> RowWords:
    """The row's label, basis and sentence in `locale`: coaching's English as it is on an English
    page (and for a row that kept no `Finding`)."""
    if locale == DEFAULT_LOCALE or row.finding is None:
        return RowWords(row.label, row.basis, row.sentence)
    basis = BASES.get(row.basis)
    return RowWords(tr(locale, label_message(row.finding)), tr(locale, basis) if basis else row.basis,
                    tr(locale, sentence_message(row.finding, min_group)))


def not_applicable_note(features: list[str]) -> Message:
    """The note coaching adds for features no call has a value for (its English)."""
    return N_("Not applicable (no values in these calls): %(features)s.", features=FeatureNames(tuple(features)))


def note_words(locale: str, note: str, rows: list[ForestRow]) -> str:
    """A note of the insights in `locale`: the known one translated, any other as coaching wrote it."""
    if locale == DEFAULT_LOCALE:
        return note
    marked = not_applicable_note([r.feature for r in rows if r.status == "not_applicable"])
    return tr(locale, marked) if note == str(marked) else note


def method_words(locale: str, method: str) -> str:
    """The method line in `locale` when it is coaching's (`METHOD`), else as written."""
    return tr(locale, METHOD) if method == str(METHOD) else method
