"""Chinese phrase patterns that both the Chinese question component (`nlp.questions.chinese`) and
the rules across turns (`nlp.questions.context`) read, in a module of their own so that neither
imports the other."""

from __future__ import annotations

import re

# Invitations to talk about something.
PROMPT = re.compile(
    r"(?:讲讲|说说|聊聊|谈谈|介绍一下|介绍介绍|讲一下|说一下|聊一下|谈一下|分享一下|描述一下|展开讲讲|展开说说|"
    r"展开讲一下|展开说一下|详细讲讲|详细说说|具体讲讲|具体说说|具体讲一下|具体说一下)"
)
SECOND_PERSON = re.compile(r"你|您|贵公司|贵司")
# Read across turns (`nlp.questions.context`): a tag said alone ("对吧？") after the speaker's own
# statement; what a speaker says after their question that does not answer it (thanks, the next
# question, why they ask).
TAG_ALONE = re.compile(r"^\W*(?:那|所以)?(?:对吧|是吧|对不对|对吗|是不是|好吗|好不好|没错吧|是吗\W*[？?])\W*$")
NOT_AN_ANSWER = re.compile(r"^\W*(?:嗯|那|好)?(?:谢谢|感谢|第二|第三|另外|还有一个|再问|最后一个|我问这个|我之所以问|之所以问|问题是)")
