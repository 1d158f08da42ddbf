"""Backchannels: short acknowledgements ("mm-hmm", "yeah", "right", "okay", "I see") a listener
gives while the other person keeps the floor (in Chinese: 嗯嗯, 对对, 好的, 明白). They are not turns of their own, so they neither
break a question's "left room to answer" (`question_context`) nor count as interruptions
(`metrics`)."""

from __future__ import annotations

import re

BACKCHANNEL_ONLY = re.compile(
    r"^\W*(?:(?:uh-huh|um-hum|mm-hmm|mhm|mm|hm|hmm|yeah|yes|yep|right|okay|ok|oh|sure|uh|um|i see|wow|"
    r"really|true|exactly|gotcha|got it)\W*)+$"
)


# The same in Chinese: 嗯嗯, 对对, 好的, 明白, 了解, 这样啊, and the reactions 是吗？ 真的吗？
BACKCHANNEL_ZH_WORDS = (
    "嗯哼|嗯|恩|哦|噢|喔|啊|呀|哎|诶|哈哈|呵呵|对的|对啊|对呀|对|是的|是啊|是呀|是|好的|好嘞|好啊|好吧|好|行|可以|没问题|"
    "明白了|明白|了解了|了解|知道了|懂了|收到|这样啊|这样子|原来如此|原来是这样|是这样|没错|确实|有道理|当然|"
    "ok|okay|嗯对|真的吗|真的|是吗|是嘛|是吧|对吧|对吗|不会吧|然后呢"
)
BACKCHANNEL_ZH = re.compile(rf"^(?:(?:{BACKCHANNEL_ZH_WORDS})[，,。.！!？?~～\s]*)+$", re.IGNORECASE)


def is_backchannel_text(text: str) -> bool:
    """Whether `text` (any case, punctuation allowed) says nothing but backchannel words."""
    return (BACKCHANNEL_ONLY.match(text.lower().replace("\u2019", "'")) is not None
            or BACKCHANNEL_ZH.match(text.strip()) is not None)
