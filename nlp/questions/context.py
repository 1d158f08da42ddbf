"""Question types decided with the conversation around a sentence, not the sentence alone.

The `question_classifier` component reads one turn at a time; only the sequence of speakers shows:

* a bare tag ("Right?", "Isn't it?") after the same speaker's own statement confirms it (`tag`),
  and "Have you?" there asks the listener back (`yes_no`); after the other side's words either is
  a reaction, as is an echo of them ("You do?", "Forty percent?" after "... forty percent ...");
* an open question that neither addresses the listener ("you", "your"; "you know" does not count;
  "tell me about ...") nor leaves them room to answer is rhetorical: its own speaker goes straight
  on with a statement, the other side saying at most "uh-huh" in between (thanks, "Secondly, ..."
  or "I ask because ..." are not answers). Reps often explain why they ask ("Do you use X?
  Because we ..."): questions that address the listener stay questions.

`resolve_types` applies the rules to any sequence of (speaker, sentence) items, so the product
(`questions_from_sentences`) and the evaluations use the same code. `RollingContext` applies them
to a call that arrives an utterance at a time (live calls): what comes later cannot change an
utterance already published, so a live count can include an open question that the analysis after
the call finds rhetorical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.backchannels import is_backchannel_text
from nlp.questions import zh_patterns as zh
from nlp.questions.features import PROMPT_VERBS, SECOND_PERSON, WH_WORDS
from nlp.types import QuestionType
from transcription.scripts import cjk_count

# "Right?" needs its question mark ("Right." after one's own words is agreement); "isn't it" does not.
_TAG_ALONE = re.compile(
    r"^\W*(?:(?:and|so|but|or)\W+)?(?:(?:right|correct|yeah|huh|okay)\W*\?|(?:isn't|wasn't|aren't|weren't|don't|"
    r"doesn't|didn't|won't|wouldn't|can't|haven't|hasn't) (?:it|that|they|you|we|he|she|there)(?: think)?)\W*$"
)
_ASKED_BACK = re.compile(
    r"^\W*(?:(?:and|so|but|well|uh|um|now)\W+)*(?:do|did|have|are|were|can|could|would|will|should)\W+"
    r"(?:you|y'all|you guys)\W*$"
)
# "You do?", "Oh, they did?": a pronoun and an auxiliary echoing the other side's statement.
_ECHO = re.compile(
    r"^\W*(?:(?:oh|ah|and|so|wait)\W+)*(?:you|they|he|she|it|we|that)\W+(?:do|did|does|are|were|is|was|have|has|had|"
    r"can|could|will|would)(?:n't| not)?\W*$"
)
# "you" inside these phrases is a filler or a formula, not an address to the listener.
_GENERIC_YOU = re.compile(r"\b(?:you know|you see|mind you|thank you|you guys know|if you will)\b")
_INVITATION_START = re.compile(rf"^\W*(?:(?:so|and|now|well|okay|please)\W+)*(?:{'|'.join(sorted(PROMPT_VERBS))})\b")
# Words an echo of the other side may add to theirs: "Oh, forty percent?", "The whole team?", "Half of them?"
_ECHO_EXTRA = frozenset({"oh", "ah", "huh", "wait", "wow", "so", "really", "the", "a", "an", "of", "them", "it",
                         "that", "all", "just"})
ECHO_MAX_WORDS = 4
# "Good, thanks, and you?", "Fine, how about yourself?", "Not bad. And you?": a greeting returned.
_RETURN_GREETING = re.compile(r"^\W*(?:(?:and|how about|what about)\W+)?(?:you|yourself|you guys|y'all)\W*$")
_WELL = frozenset({"good", "great", "fine", "well", "thanks", "thank", "bad", "busy", "alright", "complain", "wonderful",
                   "fantastic", "awesome", "excellent", "surviving", "hanging", "swamped"})
_WORD = re.compile(r"[a-z0-9']+")
# The statement that follows must have at least this many words to count as the speaker going on.
MIN_FOLLOW_WORDS = 4


@dataclass(frozen=True, slots=True)
class ContextItem:
    """One sentence in conversation order with what the one-turn rules found in it."""

    speaker: str
    text: str
    question_type: QuestionType | None
    is_backchannel: bool = False
    is_rhetorical: bool = False


def _plain(text: str) -> str:
    """Lower case with typographic apostrophes made plain, as the patterns above expect."""
    return text.lower().replace("\u2019", "'")


def _words(text: str) -> list[str]:
    return _WORD.findall(_plain(text))


def _units(text: str) -> int:
    """Words, counting each Chinese character as one."""
    return len(_words(text)) + cjk_count(text)


def addresses_listener(text: str) -> bool:
    """True if the sentence speaks to the listener ("you", "your") or invites them to talk."""
    low = _plain(text)
    if _INVITATION_START.match(low) or zh.SECOND_PERSON.search(text) or zh.PROMPT.search(text):
        return True
    return bool(SECOND_PERSON & set(_words(_GENERIC_YOU.sub(" ", low))))


# What a speaker says after their question that does not answer it: thanks, the next of several
# questions ("Secondly, ...", "My last question is ..."), or why they ask ("I ask because ...").
_NOT_AN_ANSWER = re.compile(
    r"^\W*(?:(?:and|so|but|um|uh|okay|well)\W+)*(?:thank|thanks|secondly|second|third|also|next|finally|lastly|"
    r"and then|just (?:a|one) (?:quick )?follow|i ask|i'm asking|the reason i ask|i'm curious|i was curious)\b"
    r"|\bquestions?\b"
)


def _is_statement(item: ContextItem) -> bool:
    return item.question_type is None and not item.is_backchannel and _units(item.text) >= MIN_FOLLOW_WORDS


def _answers(item: ContextItem) -> bool:
    """The speaker's own next statement reads as an answer to their question."""
    return _is_statement(item) and not (_NOT_AN_ANSWER.search(_plain(item.text)) or zh.NOT_AN_ANSWER.search(item.text))


def _speaker_goes_on(items: Sequence[ContextItem], i: int) -> bool:
    """The speaker of item `i` goes on with a statement, the others saying at most a backchannel."""
    speaker = items[i].speaker
    for nxt in items[i + 1 :]:
        if nxt.speaker == speaker:
            return _answers(nxt)
        if not is_backchannel_text(nxt.text):
            return False  # the other side took the floor: the question was left room
    return False


def _echoes(text: str, prev: ContextItem | None) -> bool:
    """A few of the other side's own words said back ("Six?", "Forty percent?" after "... forty
    percent ..."): a reaction, not a question."""
    words = _words(text)
    said = [w for w in words if w not in _ECHO_EXTRA]
    return (prev is not None and 0 < len(words) <= ECHO_MAX_WORDS and bool(said) and not WH_WORDS & set(said)
            and set(said) <= set(_words(prev.text)))


def _returns_greeting(text: str, prev: ContextItem | None, speaker: str) -> bool:
    """ "Good, thanks, and you?", or "And yourself?" after the speaker's own "I'm well, thanks.": the
    greeting asked back, which asks nothing ("We use Salesforce. How about you?" does ask)."""
    low = _plain(text)
    if _RETURN_GREETING.match(low):
        return (prev is not None and prev.speaker == speaker and bool(_WELL & set(_words(prev.text)))
                and len(_words(prev.text)) <= 6)
    # the tail after a comma ("great, you?") or from "and" / "how about" on ("fine thanks and you")
    for cut in re.finditer(r"[,.;!]\s*|\s(?=and\b|how about\b|what about\b)", low):
        if _RETURN_GREETING.match(low[cut.end():]):
            return bool(_WELL & set(_words(low[: cut.start()]))) and len(_words(low)) <= 10
    return False


def _bare_reaction(item: ContextItem, prev: ContextItem | None) -> tuple[bool, QuestionType | None]:
    """A bare tag ("Right?") or "Have you?" asks only after the same speaker's own statement: the
    tag confirms it, "Have you?" asks the listener back. After the other side's words either is a
    reaction, as is an echo ("You do?", "Six?"). Returns (the sentence is one of these, its type)."""
    text = _plain(item.text)
    if _returns_greeting(text, prev, item.speaker):
        return True, None
    tag = bool(_TAG_ALONE.match(text) or zh.TAG_ALONE.match(text))
    if (prev is None or prev.speaker != item.speaker) and (_ECHO.match(text) or _echoes(text, prev)):
        return True, None
    if not tag and not _ASKED_BACK.match(text):
        return False, None
    if prev is None or prev.speaker != item.speaker or not _is_statement(prev):
        return True, None
    return True, "tag" if tag else "yes_no"


def _resolve(items: Sequence[ContextItem], i: int) -> QuestionType | None:
    item = items[i]
    bare, reading = _bare_reaction(item, items[i - 1] if i > 0 else None)
    if bare:
        return reading
    if item.is_backchannel or item.is_rhetorical or item.question_type is None:
        return None
    # Open questions only: SwDA train has as many real yes/no questions as not among those that
    # a speaker follows up ("Is it affordable? So you did ..."), while the open ones left
    # unanswered are mostly rhetorical ("What's the solution? ...").
    if item.question_type == "open" and not addresses_listener(item.text) and _speaker_goes_on(items, i):
        return None
    return item.question_type


def resolve_types(items: Sequence[ContextItem]) -> list[QuestionType | None]:
    """The countable question type of each item given its neighbours (None: not a question)."""
    return [_resolve(items, i) for i in range(len(items))]


# Sentences of history a live call keeps: the rules look one sentence back; a few more cost nothing.
ROLLING_CONTEXT_SENTENCES = 8


class RollingContext:
    """`resolve_types` for a conversation read piece by piece: `resolve(items)` returns the types
    of the new items given the sentences passed to earlier calls (the last `keep` of them)."""

    def __init__(self, keep: int = ROLLING_CONTEXT_SENTENCES) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.keep = keep
        self._history: list[ContextItem] = []

    def resolve(self, items: Sequence[ContextItem]) -> list[QuestionType | None]:
        window = [*self._history, *items]
        types = resolve_types(window)[len(self._history):]
        self._history = window[-self.keep:]
        return types
