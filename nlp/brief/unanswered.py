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
"""

from __future__ import annotations

import re

from nlp.brief.context import CallContext
from nlp.brief.spans import trim
from nlp.brief.steps import answers_a_proposal
from nlp.brief.types import BriefItem
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
    r"question for|good question for)|it depends on the contract|not (?:something|a question) i can)\b"
)
# A reply that moves on: the rep's first words after an acknowledgement.
MOVES_ON = re.compile(
    r"^\W*(?:let'?s|let us|anyway|so,|so we'?re|so let'?s|honestly|thanks|thank you|talk soon|see you|would you like|"
    r"do you want|understood|lots of|many of|most of|we'?re (?:very|really|also)|our customers|i'?ll (?:make sure|send|"
    r"see|set|get|put)|by the way|before (?:i|we) forget|moving on|speaking of|shall we|could we|the best next step|"
    r"(?:that'?s|it'?s) a (?:great|good|fair) (?:point|question)|good (?:one|point|question)|great question|"
    r"we have customers|let me (?:show|share|walk))\b"
)
_ACKNOWLEDGEMENT = re.compile(r"^\W*(?:great|good|okay|ok|right|sure|understood|got it|good one|i see|perfect|fair|"
                              r"interesting|noted|totally|of course)\W*$")
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
_REQUEST = re.compile(r"^\W*(?:(?:and|so|oh|also)\W+)?(?:\w+,\s+)?(?:can|could|would|will) you\b")
_COMMITS = re.compile(r"\b(?:i'?ll|i will|we'?ll|we will|i can|we can|i'?m going to|will do|happy to)\b")


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
    for q in questions:
        i = by_key.get((q.start, q.text))
        if i is None or q.type in ("declarative", "tag") or not _asker_side(ctx, i):
            continue
        text = q.text.lower().replace("\u2019", "'")
        if ctx.alpha[i] < 3 or SMALL_TALK.search(text) or _ASKS_FOR_MATERIAL.search(text):
            continue
        if answers_a_proposal(ctx, i):
            continue  # "咱们下周再约个时间？" / "周四下午可以吗？": the day of the meeting, a next step's date
        reply = _reply(ctx, i)
        texts = [ctx.sentences[j].text for j in reply]
        deflecting = next((j for j in reply if DEFLECTION.search(ctx.sentences[j].text.lower().replace("\u2019", "'"))),
                          None)
        if deflecting is not None:
            confidence = 0.85
            deflections.append(deflecting)
        elif not reply:
            confidence = 0.7
        elif _answered(q.type, text, texts):
            continue
        else:
            confidence = 0.75
        s = ctx.sentences[i]
        clip = ctx.words.clip(s, trim(s.span, keep_question_mark=True))
        items.append(BriefItem(kind="question", text=clip.text, start=round(clip.start, 3), end=round(clip.end, 3),
                               speaker=clip.speaker, role=ctx.role(i), confidence=confidence))
    return items, deflections


__all__ = ["DEFLECTION", "MOVES_ON", "find_unanswered"]
