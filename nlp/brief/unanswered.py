"""Customer questions the rep did not answer.

A customer's question (`nlp.questions`: open, yes/no or choice; not small talk) is unanswered when
no reply comes before the customer speaks again, when the rep deflects ("let me get back to you on
that", "that's really a legal question"), or when the rep's reply moves on instead of answering:
after any acknowledgement ("Great.", "Good one."), it opens with a change of subject ("let's",
"anyway", "honestly, our customers ...", "would you like to ...", "I'll send ...") and does not
answer a yes/no question with yes or no, nor a "how much" with a number. A deflection is also
returned so that it becomes a next step. (Sentence similarity between question and reply was
measured on the evaluation set and separates answered from unanswered questions poorly: a reply
can answer in other words, and a change of subject can repeat the question's words.)

A Chinese question (`doc.lang_ == "zh"`) is read with Chinese cues of the same rules: deflections
(这个我们回头再说, 这个稍后再聊, 我回去确认一下再答复您, 不太清楚), replies that move on after an
acknowledgement (好问题，我们先看一下这个页面; 对了, 另外, 我先给您演示, 很多客户 ...), answers to a
yes/no question (是的, 有, 没有, 可以, 支持的, or the question's own verb: "你们支持私有化部署吗？" /
"支持的") and to a "how much / how long" (a number, 免费, 下周). Small talk (最近怎么样, 能听到吗) and
asking for material (发点资料给我看看) are no questions to answer.
"""

from __future__ import annotations

import re

from nlp.brief.context import CallContext
from nlp.brief.spans import trim
from nlp.brief.types import BriefItem
from nlp.brief.zh_replies import answers_a_proposal
from nlp.types import Question

_REPLY_SENTENCES = 3
_REPLY_WINDOW_S = 90.0

SMALL_TALK = re.compile(
    r"\b(?:how are you|how'?s it going|how have you been|can you hear me|are you there|is now (?:still )?a good time|"
    r"does that (?:work|make sense|sound good)|you know what i mean|right\?$|talk soon|sound good\?|"
    r"how was your (?:weekend|week|day)|did you have a good|what'?s up|how about (?:you|yours)|and you\?|"
    r"is that right|is that correct|can you see my screen|see my screen|am i right|make sense\?|know what i mean|"
    r"how do you say|what do you call it|you know\?$)"
)
DEFLECTION = re.compile(
    r"\b(?:get back to you|come back to you|find out (?:for you|and)|i'?ll (?:have to )?(?:check|ask|confirm|find out|look "
    r"into)|let me (?:check|ask|confirm|find out|look into|get back|take (?:that|it|this) back)|take (?:that|it|this) "
    r"back to|(?:have|need) to (?:check|ask|confirm) (?:on|with|that)|not (?:100% |a hundred percent |entirely |totally )?"
    r"sure|i don'?t (?:know|have (?:that|the answer|an answer))|follow up (?:on that|with you on)|circle back|"
    r"ca(?:n'?|nno)t (?:say|answer|share|comment|tell you)|not able to (?:say|share|comment)|off the top of my head|"
    r"(?:take|taking) that (?:away|offline)|park that|keep that for later|(?:that'?s|it'?s) (?:really )?a (?:legal|"
    r"question for|good question for)|it depends on the contract|not (?:something|a question) i can|"
    r"(?:that|this|that one|it)(?:'s| is) (?:a whole|a longer|a bigger|another|its own) (?:conversation|discussion|topic)|"
    r"i'?d rather (?:walk|go|talk) (?:you )?through|i'?d rather (?:cover|discuss|leave|save|keep))\b"
)
# A reply that moves on: the rep's first words after an acknowledgement.
MOVES_ON = re.compile(
    r"^\W*(?:so,|(?:let'?s|let us|anyway|so we'?re|so let'?s|honestly|thanks|thank you|talk soon|see you|would you like|"
    r"do you want|understood|lots of|many of|most of|we'?re (?:very|really|also)|our customers|i'?ll (?:make sure|send|"
    r"see|set|get|put)|by the way|before (?:i|we) forget|moving on|speaking of|shall we|could we|the best next step|"
    r"(?:that'?s|it'?s) a (?:great|good|fair) (?:point|question)|good (?:one|point|question)|great question|"
    r"we have customers|let me (?:show|share|walk|just make sure|make sure)|(?:\w+, )?(?:one|an)other thing|"
    r"one more thing)\b)"
)
_ACKNOWLEDGEMENT = re.compile(r"^\W*(?:(?:yeah|yes|oh|um|uh|so)\W+)*(?:great|good|okay|ok|right|sure|understood|got it|"
                              r"good one|i see|perfect|fair|interesting|noted|totally|of course|i hear (?:you|that)"
                              r"(?: a lot)?|(?:that'?s|that is) (?:a )?(?:good|great|fair) (?:one|point|question)|"
                              r"(?:good|great|fair) (?:point|question))\W*$")
_YES_NO = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|no|nope|nah|sure|absolutely|definitely|of course|correct|exactly|certainly|"
    r"not (?:yet|really|at the moment|today|currently)|unfortunately|we do|we don'?t|it does|it doesn'?t|it can|it can'?t|"
    r"we can|we can'?t|it is|it isn'?t|they do|they can|you can|you can'?t|that'?s right|right now (?:we|it)|we'?re "
    r"focused|only)\b"
)
_QUANTITY_Q = re.compile(r"\b(?:how (?:much|many|long|soon|fast|quickly|often)|when|what(?:'s| is| does| would)? (?:the|"
                         r"it|this|that|a \w+) (?:price|cost|timeline|run)|cost|price|run us|looking at for)\b")
_QUANTITY_A = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|hundred|"
                         r"thousand|dollars?|euros?|weeks?|days?|months?|hours?|minutes?|percent|free|nothing)\b")


def _asker_side(ctx: CallContext, i: int) -> bool:
    """Questions that count: the customer's; with no rep known, anyone's."""
    role = ctx.role(i)
    return role == "customer" or (role == "unknown" and not ctx.has_rep)


def _turn_of(ctx: CallContext, i: int) -> int:
    """The first sentence of the turn that holds sentence `i`."""
    while i > 0 and ctx.sentences[i - 1].speaker == ctx.sentences[i].speaker:
        i -= 1
    return i


def _reply(ctx: CallContext, i: int) -> list[int]:
    """The other speaker's first sentences after the turn that asks question `i`; none when the
    asker speaks again (more than a backchannel) before anyone replies."""
    sentences = ctx.sentences
    asker, at = sentences[i].speaker, sentences[i].end
    j = i + 1
    while j < len(sentences) and sentences[j].speaker == asker:
        j += 1  # the rest of the asker's turn: context, a second question
    out: list[int] = []
    while j < len(sentences) and len(out) < _REPLY_SENTENCES:
        s = sentences[j]
        if s.start - at > _REPLY_WINDOW_S:
            break
        if s.speaker == asker:
            if out or not s.span._.is_backchannel:
                break
        elif not s.span._.is_backchannel:
            out.append(j)
        j += 1
    return out


# "Can you send me some information?": a request (an objection), not a question to answer.
_ASKS_FOR_MATERIAL = re.compile(r"\b(?:send|email|forward|share) (?:me|us|over)?\s?(?:some|any|more|the|a)?\s?"
                                r"(?:material|materials|info|information|details|brochure|deck|overview|case stud\w*|"
                                r"documentation|something)\b")
_ZH_ASKS_FOR_MATERIAL = re.compile(r"(?:发|给|寄|传)(?:我|我们)?(?:点|些|一些|一份|个|份|一下)?(?:资料|材料|方案|介绍|案例|白皮书|"
                                   r"报价单|文档|手册)")
_REQUEST = re.compile(r"^\W*(?:(?:and|so|oh|also)\W+)?(?:\w+,\s+)?(?:can|could|would|will) you\b")
_COMMITS = re.compile(r"\b(?:i'?ll|i will|we'?ll|we will|i can|we can|i'?m going to|will do|happy to)\b")


# Chinese cues of the same rules.
ZH_SMALL_TALK = re.compile(r"最近(?:怎么样|好吗|忙吗)|您?好吗|听得(?:到|见|清楚)|能听(?:到|见|清)|看得(?:到|见)|能看到|"
                           r"信号|卡不卡|方便说话|现在方便|声音|您贵姓|怎么称呼|吃了吗")
ZH_DEFLECTION = re.compile(
    r"回头(?:我们|咱们)?再(?:说|聊|讲|讨论|看|议)|(?:稍后|晚点|晚些|之后|后面|以后|下次|改天|会后|过后)(?:我们|咱们)?再?(?:说|聊|讲|讨论|"
    r"细聊|详聊|沟通|展开)|(?:这个|这块|这点|这个问题)(?:我们|咱们)?先(?:放一放|放一下|不展开|不聊|不说|跳过)|先不(?:聊|说|讲|展开)|"
    r"(?:我|我们)(?:得|要|需要|先)?(?:回去|内部|会后)?(?:(?:跟|和|找|向)[^，,。？?！!]{1,6}?)?(?:再)?(?:确认|核实|查|问|请示|"
    r"了解)(?:一下|下)(?:再|之后|然后)?(?:给您|跟您|回复|答复|告诉)|(?:得|要|需要)(?:回去)?(?:确认|核实|查|问)一下|回头(?:我)?(?:再)?(?:跟|给)您(?:确认|答复|回复|说)|"
    r"不(?:太|是很)?清楚|不(?:太|是很)?确定|说不好|不好说|不知道|不方便(?:透露|说|讲)|没法(?:说|回答|透露)|"
    r"(?:回答|答)不了|(?:这个|这)(?:得|要|需要)问(?:一下)?(?:我们)?(?:的)?(?:技术|法务|领导|老板|同事)")
_ZH_ACK = (r"(?:好问题|这个问题(?:很|非常)?好|(?:您)?问得(?:很|非常)?(?:好|实在)|好的?|嗯+|哦|明白|理解|了解|收到|谢谢)"
           r"(?=[\W]|$)")
_ZH_ACKNOWLEDGEMENT = re.compile(rf"^\W*{_ZH_ACK}\W*$")
_ZH_ACK_OPENER = re.compile(rf"^(?:\W*{_ZH_ACK}[，,。！!、\s]*)+")
ZH_MOVES_ON = re.compile(
    r"^\W*(?:那|嗯|哦)?(?:对了|另外|顺便|话说|说到这|先不说|先不聊|(?:我们|咱们|那我们|那咱们)先(?:看|聊|说|过|讲|演示)|"
    r"我先(?:给您|带您|跟您)?(?:看|演示|介绍|讲|展示|过)|您(?:先)?看(?:一下)?这个|(?:我们|咱们)?来看(?:一下)?|接下来|下面(?:我|我们)|"
    r"(?:我们)?(?:有)?(?:很多|好多|不少|大部分|大多数)客户|感谢|谢谢|我给您(?:看|演示|介绍|展示)|我(?:们)?(?:回头|之后|会后)(?:把|给您))")
_ZH_YES_NO = re.compile(r"^\W*(?:是的?|对的?|有的?|没有|没|不是|不|可以|不可以|不行|行|能|不能|支持|不支持|会|不会|当然|肯定|"
                        r"暂时|目前|还没|需要|不需要|不用|没错|那当然)")
_ZH_PRONOUNS = re.compile(r"^(?:我们|你们|咱们|我|您|你|他们|这个|那个|这|那|现在|就是|然后|其实)")
_ZH_QUANTITY_Q = re.compile(r"多少|几[个天周月年号点位家种次]|多久|多长|多快|多大|什么时候|哪天|哪一天|几号|价格|费用|报价|收费|周期")
_ZH_QUANTITY_A = re.compile(r"\d|[零一二两三四五六七八九十百千万半几]+(?:个|天|周|月|年|号|点|万|千|块|元|小时|分钟|星期|礼拜|工作日|"
                            r"人|折|成|倍)|免费|不收费|不要钱|明天|后天|下周|月底|年底|月初|马上|当天")
_ZH_REQUEST = re.compile(r"^\W*(?:那)?(?:您|你)?(?:能|能不能|可不可以|可以|方便|能否)(?:把|给|帮|发|再)")
_ZH_COMMITS = re.compile(r"^\W*(?:好的?|可以|没问题|行|我(?:们)?(?:会|来|马上|这就|今天|明天|下午|晚点|回头|待会|现在))")


def _echoes(question: str, reply: str) -> bool:
    """A Chinese yes/no answered with the question's own verb: "你们支持私有化部署吗？" / "支持的"."""
    first = re.sub(r"^[\W不没]*(?:有)?(?:也|都|当然|肯定|是)?", "", reply)
    head = first[:2]
    return len(head) == 2 and not _ZH_PRONOUNS.match(first) and head in question


def _answered_zh(q_type: str, q_text: str, reply: list[str]) -> bool:
    first = reply[0]
    whole = "".join(reply)
    if q_type in ("yes_no", "choice") and (_ZH_YES_NO.search(first) or _echoes(q_text, first)):
        return True
    if _ZH_REQUEST.search(q_text) and _ZH_COMMITS.search(first):
        return True
    if _ZH_QUANTITY_Q.search(q_text) and _ZH_QUANTITY_A.search(whole):
        return True
    lead = next((r for r in reply if not _ZH_ACKNOWLEDGEMENT.match(r)), "")
    return not ZH_MOVES_ON.search(_ZH_ACK_OPENER.sub("", lead))


def _answered(q_type: str, q_text: str, reply: list[str]) -> bool:
    first = reply[0].lower().replace("\u2019", "'")
    whole = " ".join(reply).lower().replace("\u2019", "'")
    if q_type in ("yes_no", "choice") and _YES_NO.search(first):
        return True
    if _REQUEST.search(q_text) and _COMMITS.search(first):
        return True  # "Can you send it today?" / "I'll send it right after this call."
    if _QUANTITY_Q.search(q_text) and _QUANTITY_A.search(whole):
        return True
    lead = next((r for r in reply if not _ACKNOWLEDGEMENT.match(r.lower())), "")
    return not MOVES_ON.search(lead.lower().replace("\u2019", "'"))


def find_unanswered(ctx: CallContext, questions: list[Question]) -> tuple[list[BriefItem], list[int]]:
    """(unanswered question items, indices of the deflecting sentences)."""
    by_key = {(s.start, s.text): i for i, s in enumerate(ctx.sentences)}
    items: list[BriefItem] = []
    deflections: list[int] = []
    asked: set[int] = set()  # the turns (their first sentence) that already gave an item
    for q in questions:
        i = by_key.get((q.start, q.text))
        if i is None or q.type in ("declarative", "tag") or not _asker_side(ctx, i) or _turn_of(ctx, i) in asked:
            continue  # one item per turn: "Who eats the fees? Us or you?" is one question
        text = q.text.lower().replace("\u2019", "'")
        zh = ctx.sentences[i].span.doc.lang_ == "zh"
        small_talk, material, deflection = (ZH_SMALL_TALK, _ZH_ASKS_FOR_MATERIAL, ZH_DEFLECTION) if zh else (
            SMALL_TALK, _ASKS_FOR_MATERIAL, DEFLECTION)
        if ctx.alpha[i] < 3 or small_talk.search(text) or material.search(text):
            continue
        if answers_a_proposal(ctx, i):
            continue  # "咱们下周再约个时间？" / "周四下午可以吗？": the day of the meeting, a next step's date
        reply = _reply(ctx, i)
        texts = [ctx.sentences[j].text for j in reply]
        deflecting = next((j for j in reply if deflection.search(ctx.sentences[j].text.lower().replace("\u2019", "'"))),
                          None)
        if deflecting is not None:
            confidence = 0.85
            deflections.append(deflecting)
        elif not reply:
            confidence = 0.7
        elif (_answered_zh if zh else _answered)(q.type, text, texts):
            continue
        else:
            confidence = 0.75
        s = ctx.sentences[i]
        clip = ctx.words.clip(s, trim(s.span, keep_question_mark=True, keep_full_width_question_mark=zh))
        asked.add(_turn_of(ctx, i))
        items.append(BriefItem(kind="question", text=clip.text, start=round(clip.start, 3), end=round(clip.end, 3),
                               speaker=clip.speaker, role=ctx.role(i), confidence=confidence))
    return items, deflections


__all__ = ["DEFLECTION", "MOVES_ON", "ZH_DEFLECTION", "ZH_MOVES_ON", "find_unanswered"]
