"""What one sentence commits to: the openers of a step ("I'll", "let's", "can you", "we need to"),
the verb after them, and what makes a sentence that has an opener no step (an in-call move, an
idiom, a condition, a habit, a bare "do").

`find_step(ctx, i)` reads sentence `i` once per call (`CallContext.memo`); `nlp.brief.steps` puts the
sentences together into steps: acceptances, proposed days, owners and due dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

from nlp.brief.context import CallContext
from nlp.brief.dates import date_phrases
from nlp.next_steps import ACTION_VERBS

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
# An action handed to someone with a name or a title: "show this to our operations lead", "check with finance".
_PARTY = re.compile(r"\b(?:to|with|by|past|in|from)\s+(?:my|our|the|your|\w+'s)?\s*(?:\w+\s+){0,2}?(?:boss|manager|"
                    r"lead|team|cfo|ceo|cto|coo|vp|director|head|finance|legal|procurement|board|partners?|owners?|"
                    r"committee|it|security|controller|colleagues?|people|department)\b")
# "Send me some information": a brush-off, an objection, not a step.
_MATERIAL = re.compile(r"\bsend (?:me|us|over)? ?(?:some|any|more)? ?(?:material|materials|info|information|brochures?|"
                       r"something|literature|stuff)\b")
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


def accepts(text: str) -> bool:
    """An acceptance or a confirmation: "Sure.", "That would help.", "The eighth is good.", "Ten works."."""
    low = lowered(text).strip()
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


def lowered(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def _verb_after(span: Span, char: int) -> int | None:
    """The first verb after character `char` of the sentence, past fillers; None at a negation,
    the end of a clause, or a word that is not a verb."""
    doc = span.doc
    for tok in span:
        if tok.idx - span.start_char < char:
            continue
        word = lowered(tok.text)
        nxt = lowered(doc[tok.i + 1].text) if tok.i + 1 < span.end else ""
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
    if _PARTY.search(lowered(doc[after : span.end].text)):
        return True
    return any(t.ent_type_ == "PERSON" or (t.text[:1].isupper() and t.is_alpha and t.text != "I")
               for t in doc[after + 1 : span.end])


def find_step(ctx: CallContext, i: int) -> Found | None:
    """The step sentence `i` states; `REJECTED` when an opener is there but the sentence is not a
    step (an in-call move, an idiom, a condition); None without any opener."""
    key = ("step", i)
    if key not in ctx.memo:
        ctx.memo[key] = _read_step(ctx, i)
    found: Found | None = ctx.memo[key]
    return found


def _read_step(ctx: CallContext, i: int) -> Found | None:
    s = ctx.sentences[i]
    span, low = s.span, lowered(s.text)
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
            if lemma in STATIVE and not (lemma == "have" and MEETING.search(lowered(doc[verb:span.end].text))):
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
            after = lowered(doc[verb + 1 : span.end].text)
            in_call = (lemma in IN_CALL_VERBS and (_IN_CALL_OBJECT.match(after) or not re.search(r"\w", after))
                       or lemma in _SCREEN_VERBS or _brings_up(span, verb) or _ON_SCREEN.search(low))
            if in_call and not _dated_outside_clauses(span, question) and kind in ("self", "joint", "can", "request"):
                return REJECTED
            if not dated and (kind == "can" or lemma in _MINOR or (kind == "joint" and not MEETING.search(low))):
                return REJECTED  # "I can share their numbers", "I'll include a one pager", "let's get it done"
            if (not dated and _names_no_action(span, verb)) or _bare_do(span, verb):
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
    return up and doc[verb].lemma_.lower() in ("bring", "pull", "put") and not _PARTY.search(lowered(doc[verb:span.end].text))


def _dated_outside_clauses(span: Span, question: bool) -> bool:
    """A date said outside the sentence's relative and past-tense clauses: "the estimate you built on
    Monday", "let me read you what I wrote down in June" date what was done, not what the speaker
    is about to do."""
    inside = {t.i for t in span if t.dep_ in ("relcl", "acl") or (t.tag_ == "VBD" and t.dep_ != "ROOT")
              for t in t.subtree}
    words = [t.text_with_ws for t in span if t.i not in inside]
    return bool(_dates("".join(words), question=question))


def _bare_do(span: Span, verb: int) -> bool:
    """ "Will do, your renewal is on September first": a bare "do" closed by a comma or a stop is an
    acknowledgement ("Will do.", which recognisers often write "We'll do,") run into the next
    sentence, whatever that sentence dates."""
    doc = span.doc
    return doc[verb].lower_ == "do" and verb + 1 < span.end and doc[verb + 1].text in {",", ".", "!", ";", "--", "-"}


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




__all__ = ["ACCEPTANCE", "MEETING", "REJECTED", "Found", "accepts", "find_step", "lowered"]
