"""The sentences the coaching engine writes itself, per language: why a suggestion is made, what a
live card rests on, a metric's value in words.

The talk tracks (title, what to do, lines to say) come from the playbook and its language blocks
(`coaching.playbook`); everything around them that the engine composes from numbers is worded here,
so that a rep on a Chinese call reads one language. English is the default and its sentences are
exactly those the engine wrote before languages existed; a language without a table here (German,
Japanese ...) gets English. Numbers and their symbols stay ("35%", "1:20"); seconds read "12 秒" in
Chinese.

Plain tables on purpose: `coaching` is a library that never imports `service` (whose gettext
catalogues serve the web pages), and these sentences are made from numbers, not fixed strings.
"""

from __future__ import annotations

from coaching.insights import METRIC_LABELS, Finding, format_value
from coaching.playbook import language_code
from transcription.display import percent, signed_percent

ENGLISH = "en"
CHINESE = "zh"

# Sentence templates (`str.format` fields), one table per language; every table has the same keys
# and fields (a test checks it). English first: the default.
SENTENCES: dict[str, dict[str, str]] = {
    ENGLISH: {
        "moment_why_customer": 'The customer raised it at {at}: "{quote}".',
        "moment_why_speaker": 'The speaker raised it at {at}: "{quote}".',
        "no_outcomes": "No outcome data yet, so this rests on a published band, not on your team's won and lost deals.",
        "too_few_outcomes": ("Your team's outcomes cannot judge this yet (too few calls on one side), so this rests on "
                             "a published band."),
        "insight_why": "{sentence} This call: {value}.",
        "published_why": "This call: {value}; published band: {source}. {reason}",
        "tracker_came_up": "{name} came up",
        "tracker_did_not_come_up": "{name} did not come up",
        "value_unknown": "{name} unknown",
        "value": "{name} {value}",
        "label": "{name} {words} {value}",
        "label_tracker": "{name} came up",
        "goal_count": "{words} {value} {name}",
        "finding_went_with_winning": "In your team's {n} closed calls, '{label}' went with winning (adjusted p = {q:.2g}).",
        "team_more": "In your team's {n} closed calls, won deals were {x:.0f}% more likely (95% CI {lo:.0f}-{hi:.0f}%) "
                     "to have {label}.",
        "team_less": "In your team's {n} closed calls, won deals were {x:.0f}% less likely "
                     "(95% CI {lo:.0f}-{hi:.0f}% less) to have {label}.",
        "finding_more": "",  # English uses the finding's own sentence (`coaching.insights.describe`)
        "finding_less": "",
        "published_basis": "Published band: {source}. {reason}",
        "rule_open_question": "Your organization's live rule: an open question by {at}.",
        "rule_monologue": "Your organization's live rule: no monologue over {limit:g} s.",
        "rule_rep_share": "Your organization's live rule: rep share under {limit:.0%}.",
        "no_open_question_yet": "no open question from the rep by {at}",
        "open_questions_so_far": "{n} open question{s} from the rep by {at}",
        "monologue_so_far": "rep monologue of {length:.0f} s since {since}",
        "rep_share_recent": "rep spoke {share:.0%} of the speech in the last {minutes:g} min",
        "card_goal": " The goal: {goal}.",
        "card_evidence": "This call: {this_call}.{goal} {basis}",
    },
    CHINESE: {
        # No 。 after the closing quote: the quote ends with its own punctuation (“那价格大概是多少？”).
        "moment_why_customer": "客户在 {at} 提到：“{quote}”",
        "moment_why_speaker": "发言人在 {at} 提到：“{quote}”",
        "no_outcomes": "目前还没有成交结果数据，所以这条建议依据的是公开区间，而不是您团队的赢单和丢单记录。",
        "too_few_outcomes": "您团队的成交结果还不足以判断这一项（其中一方的通话太少），所以这条建议依据的是公开区间。",
        "insight_why": "{sentence}本通话：{value}。",
        "published_why": "本通话：{value}；公开区间（在英文通话上测得）：{source}。{reason}",
        "tracker_came_up": "提到了{name}",
        "tracker_did_not_come_up": "没有提到{name}",
        "value_unknown": "{name}未知",
        "value": "{name} {value}",
        "label": "{name}{words} {value}",
        "label_tracker": "提到了{name}",
        "goal_count": "{name}{words} {value}",
        "finding_went_with_winning": "在您团队已结束的 {n} 通通话中，“{label}”与赢单相关（校正后 p = {q:.2g}）。",
        "team_more": "在您团队已结束的 {n} 通通话中，赢单通话出现“{label}”的可能性比丢单通话高 {x:.0f}%"
                     "（95% 置信区间 {lo:.0f}-{hi:.0f}%）。",
        "team_less": "在您团队已结束的 {n} 通通话中，赢单通话出现“{label}”的可能性比丢单通话低 {x:.0f}%"
                     "（95% 置信区间 {lo:.0f}-{hi:.0f}%）。",
        "finding_more": "赢单通话出现“{label}”的可能性比丢单通话高 {x:.0f}%（95% 置信区间 {ci_lo} 至 {ci_hi}；"
                        "赢单率：有 {rate_with}，无 {rate_without}，n = {n_with} / {n_without}；校正后 p = {q:.2g}）。",
        "finding_less": "赢单通话出现“{label}”的可能性比丢单通话低 {x:.0f}%（95% 置信区间 {ci_lo} 至 {ci_hi}；"
                        "赢单率：有 {rate_with}，无 {rate_without}，n = {n_with} / {n_without}；校正后 p = {q:.2g}）。",
        "published_basis": "公开区间（在英文通话上测得）：{source}。{reason}",
        "rule_open_question": "本组织的实时规则：{at} 前提出一个开放式问题。",
        "rule_monologue": "本组织的实时规则：单段独白不超过 {limit:g} 秒。",
        "rule_rep_share": "本组织的实时规则：销售代表发言占比低于 {limit:.0%}。",
        "no_open_question_yet": "到 {at} 为止销售代表还没有提出开放式问题",
        "open_questions_so_far": "到 {at} 为止销售代表提出了 {n} 个开放式问题",
        "monologue_so_far": "销售代表从 {since} 起已连续讲了 {length:.0f} 秒",
        "rep_share_recent": "最近 {minutes:g} 分钟里销售代表的发言占 {share:.0%}",
        "card_goal": "目标：{goal}。",
        "card_evidence": "本通话：{this_call}。{goal}{basis}",
    },
}

# How a comparison reads ("at least 2", "不超过 65%").
OP_WORDS: dict[str, dict[str, str]] = {
    ENGLISH: {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"},
    CHINESE: {">=": "至少", "<=": "不超过", ">": "超过", "<": "少于"},
}

# Metric names in Chinese (English: `coaching.insights.METRIC_LABELS`; the same words as the web
# app's zh_CN catalogue), with the measure word a count takes when its name does not end in 数
# ("销售代表前 90 秒内的开放式提问 0 个"); percents and seconds carry their own unit.
METRIC_LABELS_ZH: dict[str, tuple[str, str]] = {
    "talk_ratio": ("销售代表发言占比", ""),
    "longest_monologue_s": ("销售代表最长独白", ""),
    "longest_customer_story_s": ("客户最长叙述", ""),
    "interactivity": ("每分钟发言轮换次数", ""),
    "patience_s": ("销售代表回答前的停顿", ""),
    "interruptions_rep": ("销售代表打断次数", ""),
    "interruptions_customer": ("客户打断次数", ""),
    "question_count_rep": ("销售代表提问数", ""),
    "question_count_customer": ("客户提问数", ""),
    "open_question_count_rep": ("销售代表开放式提问数", ""),
    "open_questions_first_90s": ("销售代表前 90 秒内的开放式提问", "个"),
    "first_question_s": ("销售代表首次提问前的时间", ""),
    "words_per_minute_rep": ("销售代表每分钟词数", ""),
    "filler_rate_rep": ("销售代表每百词填充词数", ""),
}

# A presence split ("at least one ...") in words, where the generic "{name}至少 1 个" reads badly.
AT_LEAST_ONE_ZH: dict[str, str] = {
    "open_questions_first_90s": "销售代表在前 90 秒内至少提出一个开放式问题",
}

# The bundled trackers' names in Chinese (nlp/trackers.yaml); an organization's own tracker reads
# as its name.
TRACKER_NAMES_ZH: dict[str, str] = {
    "pricing": "价格",
    "competitors": "竞品",
    "next_steps": "下一步",
    "budget_objection": "预算异议",
    "timing_objection": "时间异议",
    "authority_objection": "决策权异议",
    "discount_request": "折扣要求",
    "security": "数据安全",
    "contract": "合同",
}


def wording_language(language: str | None) -> str:
    """The table a call in `language` is worded from: Chinese for "zh" (any region), else English."""
    return CHINESE if language_code(language) == CHINESE else ENGLISH


def sentence(language: str | None, key: str, **fields: object) -> str:
    """The sentence `key` in the call's language, its fields filled in."""
    return SENTENCES[wording_language(language)][key].format(**fields)


def op_words(language: str | None, op: str) -> str:
    return OP_WORDS[wording_language(language)].get(op, op)


def metric_value(feature: str, value: float | None, language: str | None) -> str:
    """A metric's value in its unit ("35%", "12 s" / "12 秒", "7" / "7 个"); "?" when unknown."""
    unit = METRIC_LABELS.get(feature, ("", "number"))[1]
    if wording_language(language) == ENGLISH or value is None:
        return format_value(value, unit)
    measure = METRIC_LABELS_ZH.get(feature, ("", ""))[1]
    if unit == "seconds":
        return (f"{value:.0f}" if value >= 10 else f"{value:.1f}") + " 秒"
    text = format_value(value, unit)
    return f"{text} {measure}" if measure and unit != "percent" else text


def metric_name(feature: str, language: str | None) -> str:
    """How a metric reads in a sentence ("rep talk ratio", "销售代表发言占比")."""
    if wording_language(language) == CHINESE and feature in METRIC_LABELS_ZH:
        return METRIC_LABELS_ZH[feature][0]
    return METRIC_LABELS.get(feature, (feature.replace("_", " "), "number"))[0]


def tracker_name(name: str, language: str | None) -> str:
    if wording_language(language) == CHINESE and name in TRACKER_NAMES_ZH:
        return TRACKER_NAMES_ZH[name]
    return name.replace("_", " ")


def value_text(feature: str, value: float | None, language: str | None) -> str:
    """A call's value of a feature in words: "rep talk ratio 80%", "next steps did not come up"."""
    if feature.startswith("tracker:"):
        name = tracker_name(feature.split(":", 1)[1], language)
        return sentence(language, "tracker_came_up" if value else "tracker_did_not_come_up", name=name)
    name = metric_name(feature, language)
    if value is None:
        return sentence(language, "value_unknown", name=name)
    return sentence(language, "value", name=name, value=metric_value(feature, value, language))


def finding_label(f: Finding, language: str | None) -> str:
    """What "with" means for a finding: its own label in English (as the report wrote it), built
    from its split in another language."""
    if wording_language(language) == ENGLISH:
        return f.label
    if f.feature.startswith("tracker:"):
        return sentence(language, "label_tracker", name=tracker_name(f.feature.split(":", 1)[1], language))
    name = metric_name(f.feature, language)
    if f.op == "present" or (f.op == ">=" and f.threshold == 1 and f.feature in AT_LEAST_ONE_ZH):
        if f.feature in AT_LEAST_ONE_ZH:
            return AT_LEAST_ONE_ZH[f.feature]
        return sentence(language, "label", name=name, words=op_words(language, ">="),
                        value=metric_value(f.feature, 1.0, language))
    return sentence(language, "label", name=name, words=op_words(language, f.op),
                    value=metric_value(f.feature, f.threshold, language))


def goal_text(feature: str, op: str, goal: float, language: str | None) -> str:
    """A live card's goal ("rep talk ratio at most 65%", "at least 2 open questions by the rep in
    the first 90 s", "销售代表发言占比不超过 65%")."""
    words, name, value = op_words(language, op), metric_name(feature, language), metric_value(feature, goal, language)
    key = "goal_count" if feature == "open_questions_first_90s" else "label"
    return sentence(language, key, name=name, words=words, value=value)


def finding_sentence(f: Finding, language: str | None) -> str:
    """A significant finding in one sentence with its numbers: the report's own sentence in
    English (`coaching.insights.describe`), the same numbers worded in another language."""
    if wording_language(language) == ENGLISH:
        return f.sentence
    label = finding_label(f, language)
    if f.likelihood is None or f.likelihood_ci is None or f.q_value is None:
        return team_numbers(f, language)
    lo, hi = f.likelihood_ci
    return sentence(language, "finding_more" if f.likelihood > 0 else "finding_less", label=label,
                    x=abs(f.likelihood) * 100, ci_lo=signed_percent(lo), ci_hi=signed_percent(hi),
                    rate_with=percent(f.win_rate_with, missing="n/a"),
                    rate_without=percent(f.win_rate_without, missing="n/a"),
                    n_with=f.n_with, n_without=f.n_without, q=f.q_value)


def team_numbers(f: Finding, language: str | None = ENGLISH) -> str:
    """The team's finding in one sentence, e.g. "In your team's 500 closed calls, won deals were
    76% more likely (95% CI 40-120%) to have at least one open question ..."."""
    n = f.n_with + f.n_without
    label = finding_label(f, language)
    if f.likelihood is None or f.likelihood_ci is None:
        return sentence(language, "finding_went_with_winning", n=n, label=label, q=f.q_value)
    lo, hi = f.likelihood_ci
    if f.likelihood >= 0:
        return sentence(language, "team_more", n=n, label=label, x=f.likelihood * 100, lo=lo * 100, hi=hi * 100)
    return sentence(language, "team_less", n=n, label=label, x=-f.likelihood * 100, lo=-hi * 100, hi=-lo * 100)


__all__ = [
    "AT_LEAST_ONE_ZH",
    "CHINESE",
    "ENGLISH",
    "METRIC_LABELS_ZH",
    "OP_WORDS",
    "SENTENCES",
    "TRACKER_NAMES_ZH",
    "finding_label",
    "finding_sentence",
    "goal_text",
    "metric_name",
    "metric_value",
    "op_words",
    "sentence",
    "team_numbers",
    "tracker_name",
    "value_text",
    "wording_language",
]
