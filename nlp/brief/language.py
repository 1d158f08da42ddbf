"""The language the brief's own words are written in: the follow-up e-mail draft
(`nlp.brief.email`), the chapter titles made of key phrases and the fallback title
(`nlp.brief.chapters`), and the prompts of the optional generated wording (`nlp.brief.wording`).

As in `coaching.wording`: one table per language in the module that composes the text, English the
default and exactly what the brief wrote before languages existed, and any language without a table
(German, Japanese ...) in English. What was said (quotes, a step's words) stays as it was said.
"""

from __future__ import annotations

from transcription.languages import primary_language

ENGLISH = "en"
CHINESE = "zh"


def brief_language(language: str | None) -> str:
    """The table a call in `language` (`Transcript.language`) is worded from: Chinese for "zh" in
    any form ("zh-CN", "zh_Hans", "ZH"), English for everything else."""
    return CHINESE if primary_language(language) == CHINESE else ENGLISH


__all__ = ["CHINESE", "ENGLISH", "brief_language"]
