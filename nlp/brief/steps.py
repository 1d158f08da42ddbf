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
from dataclasses import dataclass

from spacy.tokens import Span

from nlp.brief import zh_replies
from nlp.brief.context import CallContext
from nlp.brief.dates import best_due, date_phrases, specificity
from nlp.brief.spans import WHOLE_SENTENCE_WORDS, clause_around, trim
from nlp.brief.types import BriefItem, Owner
from nlp.next_steps import ACTION_VERBS
from nlp.types import NextStep

_SELF = (r"\b(?:i|we)(?:'ll| will| shall)\b|\b(?:i'm|i am|we're|we are) (?:going to|gonna|planning to|planning on)\b|"
         r"\blet me\b|\b(?:how about|why don'?t) i\b")
_NEED_TO = r"\b(?:i|we) (?:need|have|got) to\b"
_CAN = r"\b(?:i|we) (?:can|could)\b(?!'?t| not)|\b(?:can|could|may|shall) i\b"
_JOINT = (r"\blet'?s\b|\blet us\b|\b(?:shall|can|could|should) we\b|\bhow about we\b|\bwhy don'?t we\b|\bwhat if we\b|"
          r"\bwe should\b|\bmaybe we (?:can|could)\b|\bwe can (?:set|book|schedule|meet|get|hop|jump|find|plan|pencil)\b")
_REQUEST = r"\b(?:can|could|would|will) you\b|\byou(?:'ll| will| can)\b(?! (?:have|get|receive|see|hear)\b)"
_LISTENER_GETS = r"\byou(?:'ll| will) (?:have|get|receive|see|hear from)\b"
_THIRD = (r"\b(?:he|she|they|legal|procurement|finance|our (?:\w+ )?team|our \w+|[a-z]+)(?:'ll| will| can| is going to)"
          r"(?= \w+)")
# "I export the register and send it before the 15th": the recogniser often drops "'ll"; a
# first-person present-tense step verb with a date said is read as the commitment it was.
_DROPPED_WILL = r"(?:^|[,;:]\s*|\b(?:and|so|then|okay|ok|great|good|yes|yeah|sure|fine|right)\s+)i(?= \w)"
_HABIT = re.compile(r"\b(?:every|each|usually|always|normally|typically|often|generally|tend to|per (?:week|month)|(?:once|twice) a|"
                    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days|mornings|afternoons|evenings|nights|weekends|weekly|"
                    r"monthly|daily)\b")
OPENERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p)) for kind, p in (("joint", _JOINT), ("listener_gets", _LISTENER_GETS), ("self", _SELF),
                                          ("need_to", _NEED_TO), ("can", _CAN), ("request", _REQUEST),
                                          ("third", _THIRD), ("dropped_will", _DROPPED_WILL))
)
# Verbs of a step beyond the language stage's list.
STEP_VERBS = ACTION_VERBS | frozenset({
    "install", "brief", "ask", "extend", "pick", "aim", "target", "plan", "do", "have", "reconvene", "regroup",
    "speak", "chat", "catch", "lock", "hold", "pencil", "sponsor", "take", "let", "sort", "set", "add", "change",
    "fix", "order", "approve", "kick", "close", "sign", "return", "submit", "share", "bring", "run", "book", "work",
    "put", "write", "draft", "build", "move", "push", "escalate", "include", "reach", "tell", "see", "hear", "walk",
    "figure", "investigate", "involve", "loop", "gather", "collect", "compile", "confirm", "decide", "export",
}) - {"see", "hear", "tell", "show", "run"}  # fmt: skip
STATIVE = frozenset({"be", "admit", "say", "guess", "bet", "mean", "think", "know", "like", "love", "want", "need",
                     "hope", "feel", "agree", "imagine", "assume", "understand", "suppose", "wonder", "appreciate",
                     "keep", "leave", "stop", "die", "miss", "lose", "spend", "pay", "cost", "use", "grow", "blow",
                     "riot", "turn", "hit", "see", "believe", "enjoy", "warn", "trust", "relax"})
IN_CALL_VERBS = frozenset({"show", "walk", "run", "demo", "present", "share", "pull", "go", "jump", "give", "start",
                           "explain", "recap", "summarize", "summarise", "ask", "check", "tell", "take", "dig", "answer",
                           "cover", "open", "look", "pause", "stop", "move", "help", "describe", "talk", "see", "hear",
                           "read", "play", "log", "try"})
_IN_CALL_OBJECT = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:you|your|screen|through|a (?:quick )?look|an example|around|"
                             r"a (?:quick )?question|questions|that question|quickly|real quick|the scope|now|up|with|"
                             r"differently|another way|me|us|here|this|what|how|where|why|a bit|a little|about|on|by|off|from|over|something)\b")
# Moves on the screen shared in the call: "let me switch to the admin view", "I'll click into ...".
_SCREEN_VERBS = frozenset({"switch", "flip", "click", "scroll", "navigate", "zoom", "toggle", "hover", "tab"})
_ON_SCREEN = re.compile(r"\bon (?:the |my |your )?screen\b|\bso (?:that )?(?:we'?re|we are|you'?re|you are) (?:all |both )?"
                        r"(?:looking at|seeing|on) the same\b")
_IDIOMS = re.compile(r"\b(?:come back to (?:that|this|it)\b|(?:park|hold|save) (?:that|this|it)(?: one| thought)? "
                     r"(?:for|until|till)\b|put an end to|take care of (?:that|it) (?:later|eventually)|see how it goes|"
                     r"cross that bridge|let you (?:go|get back to)|(?:have|had) a (?:hard|tough|difficult) time|make (?:good |the "
                     r"most )?use of|be honest|be direct|be frank|be brief|keep (?:it|this) short|take (?:that|it) "
                     r"as a|tell you what|leave it there|see what happens|get into|get to that|get back to (?:the|my) "
                     r"(?:point|question|demo)|let you know (?:that|what)|make it quick|see you|(?:have|got|need) to (?:run|go|jump|"
                     r"dash|hop off|drop)|(?:have|need) to (?:tell you|say|admit|be honest)|when things calm down|give (?:you|them|him|her|it) that|take (?:your|their|his|her) word for it|"
                     r"cut to (?:it|the chase)|make it worth (?:your|their|his|her) while|step (?:outside|out|away)|"
                     r"let me (?:just )?(?:grab|get|fetch) (?:her|him)(?! (?:on|to|for)\b)|(?:hold|hang) on(?! to\b))\b")
# A condition said as a phrase: "I can hold today's price as long as you sign by July" is an offer.
_CONDITION_PHRASE = re.compile(r"\b(?:as long as|so long as|provided(?: that)?|providing|on (?:the )?condition)\b")
_SOFT_CONDITION = re.compile(r"\bif (?:that|it|this) (?:works|helps|suits|is (?:ok|okay|alright|fine))|\bif (?:you|that'?s) "
                             r"(?:like|want|prefer|okay|ok|fine)\b|\bif possible\b|\bif needed\b")
# Small additions to something already promised: not a step of their own without a date.
# Verbs whose "if" / "whether" is what is asked, not a condition: "I'll ask them if ...".
_ASKING = frozenset({"ask", "check", "confirm", "find", "see", "verify", "figure", "look", "learn", "double"})
_MINOR = frozenset({"include", "add", "attach", "mention", "cc", "copy", "throw", "note"})
MEETING = re.compile(r"\b(?:call|calls|meeting|check[- ]?in|demo|session|review|follow[- ]?up|kick[- ]?off|pilot|visit|"
                     r"trial|invite|sync|catch up|touch base|reconnect|reconvene|regroup|workshop|walkthrough|"
                     r"calendar|slot)\b")
# A meeting the two sides hold (not a trial or a pilot, which one side runs).
_GATHERING = re.compile(r"\b(?:call|meeting|session|demo|visit|workshop|walkthrough|check[- ]?in)\b")
# An action handed to someone with a name or a title: "show this to our operations lead", "check with finance".
_PARTY = re.compile(r"\b(?:to|with|by|past|in|from)\s+(?:my|our|the|your|\w+'s)?\s*(?:\w+\s+){0,2}?(?:boss|manager|"
                    r"lead|team|cfo|ceo|cto|coo|vp|director|head|finance|legal|procurement|board|partners?|owners?|"
                    r"committee|it|security|controller|colleagues?|people|department)\b")
# "Send me some information": a brush-off, an objection, not a step.
_MATERIAL = re.compile(r"\bsend (?:me|us|over)? ?(?:some|any|more)? ?(?:material|materials|info|information|brochures?|"
                       r"something|literature|stuff)\b")
_SIGN_OFF = re.compile(r"^\W*(?:talk|speak|see you|chat|catch you|bye|thanks|thank you|happy|have a|enjoy)\b")
_DATE_PROPOSAL = re.compile(r"^\W*(?:(?:so|and|then|okay|ok|well|great|perfect|or)\W+)?(?:how about|how is|how's|how does|make it|"
                            r"what about|would|does|is|maybe|say|shall we say|perhaps|or maybe)\b")
ACCEPTANCE = re.compile(
    r"^\W*(?:sure|yes|yeah|yep|yup|absolutely|definitely|of course|certainly|will do|can do|no problem|happy to|"
    r"glad to|sounds (?:good|great|perfect|like a plan|fine)|that (?:works|sounds|would (?:be|help)|helps|'d help|'d be)|"
    r"that'?d (?:be|help)|works for me|okay|ok|perfect|great|let'?s do (?:it|that)|please do|please|good idea|deal|"
    r"i'?d like that|fine|agreed|done|excellent|lovely|wonderful|brilliant|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day(?: works|(?: is|'s) (?:good|fine|great|perfect)| it is| then))\b",
    re.IGNORECASE,
)
_CONFIRMS = re.compile(r"(?:\b(?:works|work for (?:me|us)|is good|is fine|is perfect|it is|suits (?:me|us)|sounds good)|'s "
                       r"(?:good|fine|perfect))\W*$")
_TOGETHER = re.compile(r"\b(?:regroup|reconvene|catch up|get together|meet again|all (?:three|four) of us|the (?:three|four) "
                       r"of us|both of us|you and i)\b")
# Chinese joint steps: "咱们下周二再聊", "我们下周再约一下", "一起过一下"; not "把白皮书一起发给您" (sent along).
_ZH_TOGETHER = re.compile(r"咱们|一起(?!发|寄|给|附|带|提供|传|打包)|"
                          r"我们.{0,8}(?:再聊|再约|碰一下|碰个头|见面|开会|通话|通个电话|沟通|对一下)")
_INVITE = re.compile(r"\b(?:send|forward|set up|put)\b.{0,25}\b(?:calendar )?invites?\b|\bcalendar invite\b")
_PRONOUN_OBJECT = re.compile(r"\b(?:it|that|them|this|those)\b")


def accepts(text: str) -> bool:
    """An acceptance or a confirmation: "Sure.", "That would help.", "The eighth is good.", "Ten works."."""
    low = _low(text).strip()
    return bool(ACCEPTANCE.match(low)) or (len(low.split()) <= 8 and bool(_CONFIRMS.search(low)))


_NEGATION = frozenset({"not", "n't", "never", "no"})
_CONDITION = frozenset({"if", "unless", "whether"})
# Words between an opener and its verb: "I'll just go ahead and send", "we'll be able to book".
_SKIP = frozenset({"just", "also", "quickly", "definitely", "then", "certainly", "probably", "actually", "happily",
                   "gladly", "first", "still", "personally", "both", "all", "now", "really", "maybe", "immediately",
                   "right", "away", "straight", "again", "and", "ahead", "to", "sure", "at", "least", "able", "absolutely", "tentatively", "hopefully", "perhaps", "please", "formally", "officially"})
_LIGHT = {"go": {"ahead", "and"}, "try": {"to", "and"}, "make": {"sure"}, "be": {"able", "happy", "glad"},
          "get": {"to"}}


@dataclass(frozen=True, slots=True)
class Found:
    """A step in sentence `i`: its opener kind, verb token, and whether it needs an acceptance."""

    i: int
    kind: str
    verb: int | None
    needs_acceptance: bool


def _low(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def _verb_after(span: Span, char: int) -> int | None:
    """The first verb after character `char` of the sentence, past fillers; None at a negation,
    the end of a clause, or a word that is not a verb."""
    doc = span.doc
    for tok in span:
        if tok.idx - span.start_char < char:
            continue
        word = _low(tok.text)
        nxt = _low(doc[tok.i + 1].text) if tok.i + 1 < span.end else ""
        if word in _NEGATION or word == "n't" or tok.is_punct:
            return None
        if word in _SKIP or nxt in _LIGHT.get(word, ()):
            continue
        if tok.pos_ in ("VERB", "AUX") or tok.lemma_.lower() in STEP_VERBS:
            return tok.i
        return None
    return None


REJECTED = Found(-1, "rejected", None, False)


def _dates(text: str, *, question: bool = False) -> list[str]:
    """The sentence's date phrases; in a question a bare "today" means nowadays ("how do you
    dispatch today?"), not a deadline."""
    phrases = date_phrases(text)
    return [p for p in phrases if not (question and p.lower() == "today")]


def _names_someone(span: Span, after: int) -> bool:
    """A person or a title after token `after`: "show this to our operations lead, Kim"."""
    doc = span.doc
    if _PARTY.search(_low(doc[after : span.end].text)):
        return True
    return any(t.ent_type_ == "PERSON" or (t.text[:1].isupper() and t.is_alpha and t.text != "I")
               for t in doc[after + 1 : span.end])


def _find(ctx: CallContext, i: int) -> Found | None:
    """The step sentence `i` states; `REJECTED` when an opener is there but the sentence is not a
    step (an in-call move, an idiom, a condition); None without any opener."""
    key = ("step", i)
    if key not in ctx.memo:
        ctx.memo[key] = _read_step(ctx, i)
    found: Found | None = ctx.memo[key]
    return found


def _read_step(ctx: CallContext, i: int) -> Found | None:
    s = ctx.sentences[i]
    span, low = s.span, _low(s.text)
    if span.doc.lang_ != "en":
        return None  # Chinese commitments come from the language stage (`nlp.chinese`)
    if span._.is_rhetorical or _IDIOMS.search(low) or _MATERIAL.search(low):
        return REJECTED
    question = low.rstrip().endswith("?")
    dated: bool | None = None  # whether a date is said: read once, and only where an opener needs it
    if accepts(low) and not re.search(_SELF + "|" + _JOINT, low):
        dated = bool(_dates(s.text, question=question))
        if not (dated and re.search(_DROPPED_WILL, low)):
            return None
    seen = False  # an opener other than a bare "I" was there
    for kind, pattern in OPENERS:
        for m in pattern.finditer(low):
            seen = seen or kind != "dropped_will"
            if dated is None:
                dated = bool(_dates(s.text, question=question))
            before = [t.lower_ for t in span if t.idx - span.start_char < m.start()]
            if any(w in _CONDITION for w in before):
                continue
            verb = _verb_after(span, m.end())
            if verb is None:
                continue
            doc = span.doc
            lemma = doc[verb].lemma_.lower()
            if lemma in STATIVE and not (lemma == "have" and MEETING.search(_low(doc[verb:span.end].text))):
                continue
            if kind in ("need_to", "third", "dropped_will") and lemma not in STEP_VERBS:
                continue
            if kind in ("third", "dropped_will") and not dated:
                continue
            if kind == "dropped_will" and (doc[verb].tag_ != "VBP" or lemma in ("do", "have", "be") or question
                                           or _HABIT.search(low)):
                continue  # "I send invoices by the 15th every month" is a habit
            if kind == "request" and not question and _HABIT.search(low):
                continue  # "You can schedule it as a PDF every month": what the product lets you do
            if doc[verb].dep_ in ("relcl", "acl"):
                continue  # "a plan I can attach to our response"
            if kind == "can" and question and re.match(r"(?:can|could|may|shall) i\b", low[m.start():]) and not dated:
                return REJECTED  # "Can I export the raw data?": a question about the product
            if kind == "need_to" and not dated and not _names_someone(span, verb):
                continue
            after = _low(doc[verb + 1 : span.end].text)
            in_call = (lemma in IN_CALL_VERBS and (_IN_CALL_OBJECT.match(after) or not re.search(r"\w", after))
                       or lemma in _SCREEN_VERBS or _brings_up(span, verb) or _ON_SCREEN.search(low))
            if in_call and not _dated_outside_clauses(span, question) and kind in ("self", "joint", "can", "request"):
                return REJECTED
            if not dated and (kind == "can" or lemma in _MINOR or (kind == "joint" and not MEETING.search(low))):
                return REJECTED  # "I can share their numbers", "I'll include a one pager", "let's get it done"
            if not dated and _names_no_action(span, verb):
                return REJECTED  # "We'll do.", "I'll send the" (cut off), "I'll talk soon"
            rest = [t.lower_ for t in doc[verb:span.end]]
            if (any(w in ("if", "unless") for w in rest) and lemma not in _ASKING
                    and not _SOFT_CONDITION.search(low)) or _CONDITION_PHRASE.search(" ".join(rest)):
                return REJECTED  # "we'll add the module later if Claire agrees"
            needs = kind == "request" or (question and kind in ("joint", "self", "can"))
            return Found(i, kind, verb, needs)
    return REJECTED if seen else None


def _brings_up(span: Span, verb: int) -> bool:
    """ "Let me bring the pricing page up", "I'll pull up the dashboard": something put on the screen,
    not a topic raised with someone ("I'll bring it up with finance" is a step)."""
    doc = span.doc
    up = any(c.lower_ == "up" and (c.dep_ == "prt" or c.tag_ == "RP") for c in doc[verb].children)
    return up and doc[verb].lemma_.lower() in ("bring", "pull", "put") and not _PARTY.search(_low(doc[verb:span.end].text))


def _dated_outside_clauses(span: Span, question: bool) -> bool:
    """A date said outside the sentence's relative and past-tense clauses: "the estimate you built on
    Monday", "let me read you what I wrote down in June" date what was done, not what the speaker
    is about to do."""
    inside = {t.i for t in span if t.dep_ in ("relcl", "acl") or (t.tag_ == "VBD" and t.dep_ != "ROOT")
              for t in t.subtree}
    words = [t.text_with_ws for t in span if t.i not in inside]
    return bool(_dates("".join(words), question=question))


# What follows "talk" or "speak" in a sign-off, not a step: "I'll talk soon", "we'll speak later".
_NO_ACTION_TAIL = frozenset({"soon", "later", "then", "again"})


def _names_no_action(span: Span, verb: int) -> bool:
    """The words after the step's verb name nothing to do: none after a bare "do" ("We'll do."), a
    sign-off ("I'll talk soon"), or a sentence cut off after a determiner or a preposition ("I'll send
    the", "let me share my", "I'll get back to"): recognisers and speaker turns break sentences there."""
    doc = span.doc
    rest = [t for t in doc[verb + 1 : span.end] if not t.is_punct]
    lemma = doc[verb].lemma_.lower()
    if not rest:
        return lemma == "do"
    if lemma in ("talk", "speak", "chat") and all(t.lower_ in _NO_ACTION_TAIL for t in rest):
        return True
    last = rest[-1]
    return (last.pos_ in ("DET", "CCONJ") or last.lower_ in ("the", "a", "an")
            or last.tag_ in ("PRP$", "IN") and not list(last.children))


def _date_proposal(ctx: CallContext, i: int) -> bool:
    """A short sentence that proposes a day: "How about Monday the twenty-third?", "Maybe Tuesday the
    eleventh."; not a statement about someone ("She's out until Tuesday"), nor the past."""
    s = ctx.sentences[i]
    low = _low(s.text)
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
        found = _find(ctx, j)
        if found is not None and found is not REJECTED:
            return True
        low = _low(ctx.sentences[j].text)
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
    return accepts(text) or bool(_AGREED.search(_low(text))) or (
        nxt < len(ctx.sentences) and ctx.sentences[nxt].speaker == ctx.sentences[i].speaker
        and accepts(ctx.sentences[nxt].text))


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
    found = _find(ctx, i)
    if _date_proposal(ctx, i) or (found is not None and found.kind == "third"):
        return True
    return found is not None and found is not REJECTED and bool(_PRONOUN_OBJECT.search(_low(ctx.sentences[i].text)))


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
        if _find(ctx, k) is not None or date_phrases(sentences[k].text):
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
    low = _low(text)
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
    if kind in ("joint", "proposal") or _TOGETHER.search(_low(text)) or _ZH_TOGETHER.search(text):
        return "both"
    if dated and _invites_to_a_day(text):
        return "both"  # "Ten o'clock Monday the twenty-seventh, I'll send the invite": a meeting being set
    if (kind in ("self", "can") and dated and accepter is not None and _GATHERING.search(_low(text))
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
        found = _find(ctx, i)
        kind = found.kind if found is not None and found is not REJECTED else None
        if found is REJECTED:
            found = None
        elif found is None and _date_proposal(ctx, i) and _scheduling(ctx, i):
            kind = "proposal"
        elif found is None and i in from_language and not _low(s.text).rstrip().endswith("?"):
            kind = "language"
        zh_day = zh_replies.schedule_reply(ctx, i) if kind is None else None
        if zh_day is not None:
            kind = "proposal"
        if kind is None and i in deflections and re.search(r"\b(?:i'?ll|i will|let me|we'?ll|we will|i'?m going to)\b",
                                                          _low(s.text)):
            kind = "deflection"
        if kind is None:
            continue
        accepter = _accepted(ctx, i)
        if found is not None and found.needs_acceptance and accepter is None:
            continue
        question = _low(s.text).rstrip().endswith("?")
        if question and accepter is not None and not date_phrases(s.text) and _reply_dates(ctx, accepter):
            continue  # "Could we set up a kickoff?" / "Let's do Tuesday the twenty-fourth": the reply is the step
        phrases = date_phrases(s.text)
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
        if _INVITE.search(_low(s.text)) and any(
                (it.owner == "both" or (it.due is not None and MEETING.search(_low(it.text))))
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
                it.due == due and (it.owner == "both" or _GATHERING.search(_low(it.text))) for it in items):
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


__all__ = ["ACCEPTANCE", "find_steps"]
