"""Library text on the call page other than the analysis's warnings, in the reader's language: the
"No rep identified" card's `why` (an analysis's `roles_note`) and where a metric's band comes from
(`coaching.benchmarks`, the band's `source`, shown beside it).

The libraries write both in English from module-level templates, and the analysis JSON and the API
keep that English: `nlp.speaker_roles.roles_note` writes `NO_REP_WHY` or `NO_REP_WHY_BECAUSE` around
a `head` (`NO_REP_..._HEAD`: a mono recording, a stereo one, a transcript) and the content scorer's
`reason` (`NO_REP_..._REASON`); `coaching.benchmarks` a published band's `..._SOURCE`, that within
`ENGLISH_ONLY_SOURCE` on a call in another language, or `TEAM_SOURCE`. As for the warnings
(`service.web.analysis_warnings`, whose matching this uses), each template has a row here beside a
marked message whose English is what the English page shows (`web_text`: without its command-line
advice); a text is recognised against the templates, a field that is itself such text (a head, a
reason, a band's own source) against its own rows (`part_of`), and a text any part of which no
template writes is shown in English in every language. The roles note's `fix` is not shown: the
page says its own ("Fix speakers"). tests/service/web/test_library_text.py keeps the rows in step
with the templates.
"""

from __future__ import annotations

import functools

from service.core.i18n import N_
from service.web.analysis_warnings import Row, part_of, text_in


@functools.cache
def roles_why_rows() -> tuple[Row, ...]:
    """A roles note's `why`, around its head and reason."""
    from nlp import speaker_roles as roles

    return (
        Row(roles.NO_REP_WHY, N_("%(head)s. Every rep metric is empty until the rep is known."),
            {"head": part_of(roles_head_rows)}),
        Row(roles.NO_REP_WHY_BECAUSE, N_("%(head)s, and %(reason)s. Every rep metric is empty until the rep is known."),
            {"head": part_of(roles_head_rows), "reason": part_of(roles_reason_rows)}),
    )


@functools.cache
def roles_head_rows() -> tuple[Row, ...]:
    """The `why`'s first part: what was tried to find the rep."""
    from nlp import speaker_roles as roles

    return (
        Row(roles.NO_REP_MONO_HEAD,
            N_("No speaker is known to be the rep: no enrolled voice profile matched a voice in this mono recording")),
        Row(roles.NO_REP_STEREO_HEAD, N_("No speaker is known to be the rep")),
        Row(roles.NO_REP_TRANSCRIPT_HEAD,
            N_("No speaker is known to be the rep: the transcript's speakers are not named as the rep")),
    )


@functools.cache
def roles_reason_rows() -> tuple[Row, ...]:
    """Why what is said did not show the rep (`ContentRoles.reason`)."""
    from nlp import speaker_roles as roles

    return (
        Row(roles.NO_REP_ONE_SPEAKER_REASON,
            N_("only one speaker (%(speaker)s) was found, so nothing tells the rep from the customer")),
        Row(roles.NO_REP_NO_WORDS_REASON, N_("the call has no words, so nothing tells the rep from the customer")),
        Row(roles.NO_REP_FEW_WORDS_REASON,
            N_("the call has only %(words)s words, too few to tell who the rep is from what is said")),
        Row(roles.NO_REP_ONE_VOICE_REASON,
            N_("one voice has %(percent)s%% of the words (%(speaker)s), so the speakers were probably not told apart "
               "and what is said cannot show who the rep is")),
        Row(roles.NO_REP_UNCLEAR_REASON,
            N_("what is said does not show clearly who the rep is (most rep-like: %(speaker)s, confidence "
               "%(confidence)s; %(threshold)s needed)")),
    )


@functools.cache
def band_source_rows() -> tuple[Row, ...]:
    """Where a metric's band comes from: the team's won calls, or a published band (on a call in
    another language than English, said to be measured on English calls)."""
    from coaching import benchmarks

    return (
        Row(benchmarks.TEAM_SOURCE, N_("team's won calls (middle 50%%, n = %(n)s)")),
        Row(benchmarks.ENGLISH_ONLY_SOURCE, N_("%(source)s (measured on English calls)"),
            {"source": part_of(published_source_rows)}),
        *published_source_rows(),
    )


@functools.cache
def published_source_rows() -> tuple[Row, ...]:
    """The published bands' sources."""
    from coaching import benchmarks

    return (
        Row(benchmarks.TALK_RATIO_SOURCE,
            N_("Gong Labs (published): rep talk ratio about %(typical)s%% in won deals; above %(limit)s%% hurts")),
        Row(benchmarks.QUESTIONS_SOURCE, N_("Gong Labs (published): 11-14 questions per call")),
        Row(benchmarks.CUSTOMER_STORY_SOURCE,
            N_("Gong Labs (published): longest customer story of 4 minutes or more is good, 50 s or less is poor")),
    )


def roles_why_text(why: str, locale: str) -> str:
    """A stored `roles_note.why` as the call page shows it in `locale` (`analysis_warnings.text_in`)."""
    return text_in(why, locale, roles_why_rows)


def band_source_text(source: str, locale: str) -> str:
    """A band's `source` as the call page shows it in `locale` (`analysis_warnings.text_in`)."""
    return text_in(source, locale, band_source_rows)
