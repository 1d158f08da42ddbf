"""Next steps as brief items: commitments, agreed proposals and proposed dates, each with an owner
and a due date.

A sentence is a step when someone takes on a future action ("I'll send the ROI sheet by Thursday",
"we need to loop in legal", "let me take that back to our support team"), proposes a joint one
("let's book a review on June the ninth", "can we do that next Wednesday?"), asks the listener for
one that the listener accepts ("Can you send me the case study?" / "Sure"), or proposes a date
for a meeting being set ("How about Monday the twenty-third?"). The language stage's commitments
(`nlp.next_steps`) count too. Not steps: negated, conditional ("if you sign, I'll ...") and
in-call moves ("let me show you", "I'll share my screen") without a date; a question-form
proposal nobody accepted; "I can ..." offers without a date or an acceptance.

Owner: a joint proposal or a proposed date is `both`, and so is a meeting one side offers and the
other dates ("I could run a session for your managers next Wednesday" / "Noon on Wednesday works");
otherwise the role of whoever committed (a request is the listener's; "you'll have it on Friday" is
the speaker's). A confirmation ("Thursday's fine") and the invite for a meeting just agreed are part
of that meeting's step, not steps of their own. A transcript without a
rep gets no owners (None), never a guess; nor does a speaker whose role is unknown. Due: the
most specific date said (`nlp.brief.dates.best_due`) in the step's sentence, else in a date the
same speaker proposes right after it, else in the acceptance.
"""

from __future__ import annotations

import re

from nlp.brief import zh_replies
from nlp.brief.context import CallContext
from nlp.brief.dates import best_due, date_phrases, specificity
from nlp.brief.spans import WHOLE_SENTENCE_WORDS, clause_around, trim
from nlp.brief.step_sentence import MEETING, REJECTED, Found, accepts, find_step, lowered
from nlp.brief.types import BriefItem, Owner
from nlp.types import NextStep

# A meeting the two sides hold (not a trial or a pilot, which one side runs).
_GATHERING = re.compile(r"\b(?:call|meeting|session|demo|visit|workshop|walkthrough|check[- ]?in)\b")
_SIGN_OFF = re.compile(r"^\W*(?:talk|speak|see you|chat|catch you|bye|thanks|thank you|happy|have a|enjoy)\b")
_DATE_PROPOSAL = re.compile(r"^\W*(?:(?:so|and|then|okay|ok|well|great|perfect|or)\W+)?(?:how about|how is|how's|how does|make it|"
                            r"what about|would|does|is|maybe|say|shall we say|perhaps|or maybe)\b")
_TOGETHER = re.compile(r"\b(?:regroup|reconvene|catch up|get together|meet again|all (?:three|four) of us|the (?:three|four) "
                       r"of us|both of us|you and i)\b")
# Chinese joint steps: "咱们下周二再聊", "我们下周再约一下", "一起过一下"; not "把白皮书一起发给您" (sent along).
_ZH_TOGETHER = re.compile(r"咱们|一起(?!发|寄|给|附|带|提供|传|打包)|"
                          r"我们.{0,8}(?:再聊|再约|碰一下|碰个头|见面|开会|通话|通个电话|沟通|对一下)")
_INVITE = re.compile(r"\b(?:send|forward|set up|put)\b.{0,25}\b(?:calendar )?invites?\b|\bcalendar invite\b")
_PRONOUN_OBJECT = re.compile(r"\b(?:it|that|them|this|those)\b")


def _date_proposal(ctx: CallContext, i: int) -> bool:
    """A short sentence that proposes a day: "How about Monday the twenty-third?", "Maybe Tuesday the
    eleventh."; not a statement about someone ("She's out until Tuesday"), nor the past."""
    s = ctx.sentences[i]
    low = lowered(s.text)
    phrases = date_phrases(s.text)
    if not phrases or _SIGN_OFF.match(low) or accepts(low) or max(specificity(p) for p in phrases) < 2:
        return False
    if any(t.tag_ == "VBD" or (t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "PRON" and t.lower_ != "we")
           for t in s.span):
        return False
    words = len(low.split())
    date_words = sum(len(p.split()) for p in phrases)
    if s.span.doc.lang_ == "zh":  # no spaces between words: about two characters to a word
        words = (sum(1 for c in s.text if c.isalnum()) + 1) // 2
        date_words = (sum(len(p) for p in phrases) + 1) // 2
    return bool(_DATE_PROPOSAL.match(low)) and words <= 12 or (words <= 6 and 2 * date_words >= words)


_WHEN = re.compile(r"\b(?:when (?:can|could|shall|should|would|will|are|is good for|suits) (?:we|you|i)|what day|which day|"
                   r"what time|what works|works? for you|suit you|are you free|are you available|free on|a good time|"
                   r"calendar|schedule|set up|book|talk again|speak again|meet again|next call|follow[- ]?up|"
                   r"check[- ]?in|invite)\b")


# "When is the next owners' meeting?": the date of an event already set, not a meeting being set.
_WHEN_IS = re.compile(r"\bwhen (?:is|are|was|were|does|do|did) (?:the|your|their|his|her|its|that)\b")
_SUGGESTS = re.compile(r"\b(?:suggest|propose|recommend|how about|what about|why don'?t we|would it make sense)\b")


def _scheduling(ctx: CallContext, i: int) -> bool:
    """A meeting is being set in the sentences just before `i`: a step or a question about when."""
    for j in range(max(0, i - 5), i):
        found = find_step(ctx, j)
        if found is not None and found is not REJECTED:
            return True
        low = lowered(ctx.sentences[j].text)
        if low.rstrip().endswith("?") and (_WHEN.search(low) or MEETING.search(low)) and not _WHEN_IS.search(low):
            return True
        if _SUGGESTS.search(low) and MEETING.search(low):
            return True  # "What I'd suggest is a visit."
        if ctx.sentences[j].speaker != ctx.sentences[i].speaker and _date_proposal(ctx, j):
            return True  # "Would Tuesday at two work?" / "Make it Thursday.": a counter-proposal
    return False


_AGREED = re.compile(r"\b(?:fine|sure|okay|ok|good|great|works|deal)\W*$")


def _confirms(ctx: CallContext, i: int) -> bool:
    """Sentence `i`, or the same speaker's next one, agrees ("Monday. Fine.", "Friday, sure.")."""
    text, nxt = ctx.sentences[i].text, i + 1
    return accepts(text) or bool(_AGREED.search(lowered(text))) or (
        nxt < len(ctx.sentences) and ctx.sentences[nxt].speaker == ctx.sentences[i].speaker
        and accepts(ctx.sentences[nxt].text))


# "... have it to you by end of the month, so you've got it before the board on the fifth": a day
# said after "before the board" dates the event the step prepares for, not the step; "I'll extend it
# today through July 7th": a day after "through" is how long something holds (a phrase the finder
# opens with "until" is ranked last by `best_due` itself).
_NOT_DUE_BEFORE = re.compile(r"\b(?:(?:before|ahead of|in time for|prior to) (?:the|our|your|their|his|her|my) "
                             r"(?:[\w'-]+ ){1,3}|(?:through|thru) )$")


def _step_dates(text: str) -> list[str]:
    """The date phrases of a step's sentence, less the days of an event it is done before and of
    how long something holds (when another date is said)."""
    phrases = date_phrases(text)
    if len(phrases) < 2:
        return phrases
    low, own, at = lowered(text), [], 0
    for p in phrases:
        k = low.find(p.lower(), at)
        at = max(at, k + len(p)) if k >= 0 else at
        if k < 0 or not _NOT_DUE_BEFORE.search(low[:k]):
            own.append(p)
    return own or phrases


def _reply_dates(ctx: CallContext, j: int) -> bool:
    """The turn starting at sentence `j` names a day (specific enough to meet on)."""
    speaker = ctx.sentences[j].speaker
    while j < len(ctx.sentences) and ctx.sentences[j].speaker == speaker:
        if any(specificity(p) >= 2 for p in date_phrases(ctx.sentences[j].text)):
            return True
        j += 1
    return False


def _continues(ctx: CallContext, i: int) -> bool:
    """Sentence `i` gives the date of the step just before it: a proposed day, "He can do it by the
    end of next week", or "I'll have it over to you tomorrow"."""
    if not date_phrases(ctx.sentences[i].text):
        return False
    found = find_step(ctx, i)
    if _date_proposal(ctx, i) or (found is not None and found.kind == "third"):
        return True
    return found is not None and found is not REJECTED and bool(_PRONOUN_OBJECT.search(lowered(ctx.sentences[i].text)))


def _dating_sentence(ctx: CallContext, i: int) -> int | None:
    """The same speaker's sentence that gives step `i` its day: the next one ("... once the feed is
    live. How about Monday the twenty-third?"), or a bare day one sentence further on ("I'll send you
    the quote. The actual PDF. First thing Monday.")."""
    sentences = ctx.sentences
    for k in (i + 1, i + 2):
        if k >= len(sentences) or sentences[k].speaker != sentences[i].speaker:
            return None
        if _continues(ctx, k) and (k == i + 1 or _date_proposal(ctx, k)):
            return k
        if find_step(ctx, k) is not None or date_phrases(sentences[k].text):
            return None  # a step or a date of its own in between
    return None


def _whole_turn(ctx: CallContext, j: int) -> bool:
    """Sentence `j` is its speaker's whole turn."""
    sentences, speaker = ctx.sentences, ctx.sentences[j].speaker
    return (j == 0 or sentences[j - 1].speaker != speaker) and (
        j + 1 == len(sentences) or sentences[j + 1].speaker != speaker)


def _invites_to_a_day(text: str) -> bool:
    """An invitation sent for a day named before it or after "for" ("Monday the fifth, I'll send the
    invite", "I'll send an invite for Tuesday at ten"), not one sent by a day ("I'll send the invite
    today")."""
    low = lowered(text)
    m = _INVITE.search(low)
    if m is None:
        return False
    named = date_phrases(text[: m.start()]) + [p for p in date_phrases(text[m.end():]) if
                                                 re.search(r"\bfor\s+(?:\w+\s+)?" + re.escape(p.lower()), low)]
    return any(specificity(p) >= 2 and not re.search(r"\b(?:today|tonight|tomorrow)\b", p.lower()) for p in named)


def _says_it_again(ctx: CallContext, i: int, found: Found | None) -> bool:
    """Step `i` names its action by a pronoun only ("you'll have it", "I'll do that"): it repeats the
    step just made rather than making one."""
    if found is None or found.verb is None:
        return False
    span = ctx.sentences[i].span
    rest = [t for t in span.doc[found.verb + 1 : span.end] if not t.is_punct and t.ent_type_ not in ("DATE", "TIME")]
    return bool(rest) and rest[0].lower_ in ("it", "that", "this", "them") and len(rest) <= 3


def _accepted(ctx: CallContext, i: int) -> int | None:
    """Index of the other speaker's next sentence when it accepts sentence `i`."""
    for j in range(i + 1, min(i + 8, len(ctx.sentences))):
        if ctx.sentences[j].speaker != ctx.sentences[i].speaker:
            if ctx.sentences[j].span.doc.lang_ == "zh":
                text = ctx.sentences[j].text
                return j if zh_replies.accepts(text) or zh_replies.date_reply(text) else None
            return j if accepts(ctx.sentences[j].text) or _date_proposal(ctx, j) else None
    return None


def _owner(ctx: CallContext, kind: str, i: int, accepter: int | None, committed: str | None = None, *,
           dated: bool = False) -> Owner | None:
    """Who does the step; `committed` is who the language stage says committed to a Chinese step (a
    request's is the listener who accepted it: "您能把合同发我一下吗？" / "可以" is the rep's); `dated`:
    the step has a due date."""
    if not ctx.has_rep:
        return None
    text = ctx.sentences[i].text
    if kind in ("joint", "proposal") or _TOGETHER.search(lowered(text)) or _ZH_TOGETHER.search(text):
        return "both"
    if dated and _invites_to_a_day(text):
        return "both"  # "Ten o'clock Monday the twenty-seventh, I'll send the invite": a meeting being set
    if (kind in ("self", "can") and dated and accepter is not None and _GATHERING.search(lowered(text))
            and date_phrases(ctx.sentences[accepter].text)):
        return "both"  # "I could run a session next Wednesday at noon" / "Noon on Wednesday works": set together
    who = ctx.sentences[accepter].speaker if kind == "request" and accepter is not None else ctx.sentences[i].speaker
    if kind == "language" and committed is not None and ctx.sentences[i].span.doc.lang_ == "zh":
        who = committed
    role = ctx.roles.get(who, "unknown")
    return role if role in ("rep", "customer") else None


def _clip(ctx: CallContext, lo: int, hi: int, verb: int | None) -> tuple[str, float, float, str]:
    """Text and times of sentences lo..hi (one turn), cut to the clause when long."""
    s = ctx.sentences[lo]
    if hi == lo:
        span = s.span
        if verb is not None and sum(1 for t in span if not t.is_punct) > WHOLE_SENTENCE_WORDS:
            span = clause_around(span, verb)
        else:
            span = trim(span, keep_question_mark=True)
        clip = ctx.words.clip(s, span)
        return clip.text, clip.start, clip.end, clip.speaker
    first = ctx.words.clip(s, trim(s.span))
    last = ctx.words.clip(ctx.sentences[hi], trim(ctx.sentences[hi].span, keep_question_mark=True))
    doc = s.span.doc
    text = doc[trim(s.span).start : trim(ctx.sentences[hi].span, keep_question_mark=True).end].text
    return text, first.start, last.end, s.speaker


_CONFIDENCE = {"self": 0.85, "need_to": 0.75, "can": 0.8, "joint": 0.85, "request": 0.8, "listener_gets": 0.85,
               "third": 0.75, "proposal": 0.75, "language": 0.8, "deflection": 0.7, "dropped_will": 0.7}


def find_steps(ctx: CallContext, steps: list[NextStep], deflections: list[int]) -> list[BriefItem]:
    """Brief items for the call's next steps (see the module docstring), in time order."""
    from_language = {i for i, s in enumerate(ctx.sentences) for n in steps if n.start == s.start and n.text == s.text}
    items: list[BriefItem] = []
    taken: set[int] = set()
    sentences = ctx.sentences
    for i, s in enumerate(sentences):
        if i in taken:
            continue
        found = find_step(ctx, i)
        kind = found.kind if found is not None and found is not REJECTED else None
        if found is REJECTED:
            found = None
        elif found is None and _date_proposal(ctx, i) and _scheduling(ctx, i):
            kind = "proposal"
        elif found is None and i in from_language and not lowered(s.text).rstrip().endswith("?"):
            kind = "language"
        zh_day = zh_replies.schedule_reply(ctx, i) if kind is None else None
        if zh_day is not None:
            kind = "proposal"
        if kind is None and i in deflections and re.search(r"\b(?:i'?ll|i will|let me|we'?ll|we will|i'?m going to)\b",
                                                          lowered(s.text)):
            kind = "deflection"
        if kind is None:
            continue
        accepter = _accepted(ctx, i)
        if found is not None and found.needs_acceptance and accepter is None:
            continue
        question = lowered(s.text).rstrip().endswith("?")
        if question and accepter is not None and not date_phrases(s.text) and _reply_dates(ctx, accepter):
            continue  # "Could we set up a kickoff?" / "Let's do Tuesday the twenty-fourth": the reply is the step
        phrases = _step_dates(s.text)
        hi = i
        nxt = _dating_sentence(ctx, i)
        if nxt is not None and (
                not phrases or max(specificity(p) for p in phrases) < specificity(date_phrases(sentences[nxt].text)[0])):
            # "let's do a check-in once the feed is live. How about Monday the twenty-third?"
            hi = nxt
            phrases = date_phrases(sentences[nxt].text) + phrases
        dated_by = None  # a reply that gives the step its day
        if zh_day is not None:
            phrases = [zh_day]
        elif not phrases and accepter is not None and s.span.doc.lang_ != "zh":
            phrases = date_phrases(sentences[accepter].text)
            if phrases and _date_proposal(ctx, accepter) and _whole_turn(ctx, accepter):
                dated_by = accepter  # "Let me take it back." / "By Wednesday.": the reply dates the step
        elif accepter is not None and s.span.doc.lang_ == "zh" and (
                reply := zh_replies.date_reply(sentences[accepter].text)) is not None and (
                not phrases or max(specificity(p) for p in phrases) < specificity(reply)):
            # "咱们下周再约个时间？" / "周四下午可以吗？": the reply gives the day ("下周四")
            phrases = [zh_replies.reply_phrase(phrases, reply)] + phrases
            dated_by = accepter
        phrase, due = best_due(phrases, ctx.call_date)
        if phrase is None:
            phrase = next((n.date_phrase for n in steps if n.start == s.start and n.text == s.text), None)
            phrase, due = best_due([phrase], ctx.call_date) if phrase else (None, None)
        committed = next((n.speaker for n in steps if n.start == s.start and n.text == s.text), None)
        owner = _owner(ctx, kind, i, accepter, committed, dated=due is not None)
        if _INVITE.search(lowered(s.text)) and any(
                (it.owner == "both" or (it.due is not None and MEETING.search(lowered(it.text))))
                and due in (None, it.due) for it in items[-3:]):
            taken.update(range(i, hi + 1))
            continue  # the invite for the meeting just agreed ("I'll send an invite for the nineteenth")
        if kind == "proposal" and due is not None and _confirms(ctx, i) and any(
                it.due == due and s.start - it.end < 15.0 for it in items[-2:]):
            taken.update(range(i, hi + 1))
            continue  # "I'll have an answer by Monday." / "Monday. Fine.": the day said back and agreed
        if due is not None and _says_it_again(ctx, i, found) and any(
                it.due == due and s.start - it.end < 20.0 for it in items[-2:]):
            taken.update(range(i, hi + 1))
            continue  # "By Wednesday, you'll have it": the step just made, its day said back
        if owner == "both" and due is not None and any(
                it.due == due and (it.owner == "both" or _GATHERING.search(lowered(it.text))) for it in items):
            taken.update(range(i, hi + 1))
            continue  # the same meeting again ("let's look at that with Giulia on the eleventh")
        text, start, end, speaker = _clip(ctx, i, hi, found.verb if found else None)
        confidence = _CONFIDENCE[kind] + (0.05 if due else 0.0)
        items.append(BriefItem(kind="next_step", text=text, start=round(start, 3), end=round(end, 3), speaker=speaker,
                               role=ctx.role(i), confidence=round(min(confidence, 0.95), 3),
                               owner=owner, due=due, date_phrase=phrase))
        taken.update(range(i, hi + 1))
        if dated_by is not None:
            taken.add(dated_by)
    return items


__all__ = ["find_steps"]
