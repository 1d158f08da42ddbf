"""Backchannels: short acknowledgements ("mm-hmm", "yeah", "right", "okay", "I see") a listener
gives while the other person keeps the floor. They are not turns of their own, so they neither
break a question's "left room to answer" (`question_context`) nor count as interruptions
(`metrics`)."""

from __future__ import annotations

import re

BACKCHANNEL_ONLY = re.compile(
    r"^\W*(?:(?:uh-huh|um-hum|mm-hmm|mhm|mm|hm|hmm|yeah|yes|yep|right|okay|ok|oh|sure|uh|um|i see|wow|"
    r"really|true|exactly|gotcha|got it)\W*)+$"
)


def is_backchannel_text(text: str) -> bool:
    """Whether `text` (any case, punctuation allowed) says nothing but backchannel words."""
    return BACKCHANNEL_ONLY.match(text.lower().replace("\u2019", "'")) is not None
