"""What the question model reads in a sentence: its words where they sit, its parse, and the turns
around it.

The signals the earlier hand-written rules proved useful are features here, weighed by the
trained model instead of tried in a fixed order: the first content word after discourse markers
("so", "uh", "well") and whether it is a finite auxiliary followed by its subject (inversion), a
wh-word first or later, "or" between alternatives, a tag ending ("..., right?", "isn't it"), a
saying verb before the question ("I said, why ..."), a final "?", whether the same speaker goes
on or the other one answers, and whether that next sentence opens like an answer ("Because ...").

Every feature is emitted twice, once plain and once under the text's regime (`P|` punctuated, `U|`
no punctuation at all, as from a recogniser without it), so that one linear model learns both:
in unpunctuated text word order is all there is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span, Token

Neighbour = Literal["same", "other", "none"]

WH_WORDS = frozenset({"what", "why", "how", "where", "when", "who", "whom", "whose", "which"})
AUX_LEMMAS = frozenset({"be", "do", "have", "can", "could", "will", "would", "shall", "should", "may", "might",
                        "must", "ca", "wo"})
_FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
# Words that open a sentence without changing its form: "So what do you ...", "Uh, is it ...".
DISCOURSE = frozenset({"uh", "um", "uhm", "erm", "er", "ah", "oh", "well", "so", "and", "but", "okay", "ok",
                       "now", "then", "yeah", "yes", "alright", "hey", "hmm", "anyway", "also", "just", "like",
                       "actually", "great", "right", "sure", "mm", "huh", "perfect", "cool", "mm-hmm", "no"})
SECOND_PERSON = frozenset({"you", "your", "you're", "you've", "you'd", "you'll", "y'all", "yourself"})
_QUOTING = frozenset({"say", "ask", "go", "wonder", "tell"})
# "Walk me through ...", "Can you tell us ...", "Help me understand ...": prompts for an open answer.
PROMPT_VERBS = frozenset({"tell", "walk", "talk", "describe", "explain", "share", "help", "give", "take",
                          "elaborate", "expand", "paint", "unpack", "clarify"})
_MODALS = frozenset({"can", "could", "would", "will", "ca", "wo"})
# "I'd love to hear ...", "I'm curious how ...": first-person wishes to know.
_WANT_TO_KNOW = frozenset({"hear", "understand", "know", "learn", "curious", "wonder", "wondering"})
_ANSWER_OPENERS = ("because", "cause", "'cause", "the answer", "the reason", "it's because", "that's because")
_PUNCT = frozenset(".?!,;:")
_TAG_WORDS = frozenset({"right", "correct", "yeah", "no", "yes", "huh", "eh", "okay", "true", "yep"})
# "How are you?", "How's your week going?", "How have things been?": a greeting, which asks nothing.
_GREETING_SUBJECTS = frozenset({"you", "things", "it", "everything", "life", "ya", "y'all", "everyone", "we"})
_GREETING_TIMES = frozenset({"day", "week", "weekend", "morning", "afternoon", "evening", "holiday", "holidays",
                             "vacation", "trip", "summer", "winter", "spring", "break", "friday", "monday"})
_HELLOS = frozenset({"hi", "hey", "hello", "morning", "afternoon", "evening", "good"})
_GREETING_VERBS = frozenset({"go", "do", "be", "hold", "treat", "keep", "hang", "feel"})


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Who speaks just before and just after a sentence, and what comes after it."""

    before: Neighbour = "none"
    after: Neighbour = "none"
    after_text: str = ""


def _word(token: Token) -> str:
    return token.lower_.replace("\u2019", "'")


def _length_bucket(n: int) -> str:
    for bound, name in ((1, "1"), (2, "2"), (3, "3"), (6, "4-6"), (10, "7-10"), (20, "11-20")):
        if n <= bound:
            return name
    return "21+"


def _content_start(words: list[str]) -> int:
    """Index of the first word after the discourse markers and "you know"/"I mean" openers."""
    i = 0
    while i < len(words):
        if words[i] in DISCOURSE:
            i += 1
        elif tuple(words[i : i + 2]) in {("you", "know"), ("i", "mean"), ("all", "right")} and i + 2 < len(words):
            i += 2
        else:
            break
    return i if i < len(words) else 0


def _inverted(toks: list[Token], i: int) -> bool:
    """A finite auxiliary at `i` followed by its subject: "do you", "is it", "can we", "isn't there"."""
    if i + 1 >= len(toks):
        return False
    aux = toks[i]
    if aux.lemma_.lower() not in AUX_LEMMAS or aux.tag_ not in _FINITE:
        return False
    nxt = toks[i + 1] if _word(toks[i + 1]) not in {"n't", "not"} or i + 2 >= len(toks) else toks[i + 2]
    return nxt.dep_ in _SUBJECTS or nxt.pos_ == "PRON" or _word(nxt) == "there"


def _tag_ending(toks: list[Token], words: list[str], c: int) -> Iterator[str]:
    """ "..., isn't it", "couldn't we", "is it": an auxiliary (and "n't") then a pronoun, last."""
    k = len(toks) - 2
    negated = words[k] in {"n't", "not"}
    k -= negated
    if k > c and toks[-1].pos_ == "PRON" and toks[k].lemma_.lower() in AUX_LEMMAS:
        yield "tag_aux_pronoun" + ("_neg" if negated or words[k].endswith("n't") else "")
    # "... annual plans correct", "it's priced per seat, no?": a statement, then a word asking to confirm it
    body = toks[c:-1]
    if words[-1] in _TAG_WORDS and len(body) >= 3 and any(t.dep_ in _SUBJECTS for t in body) \
            and any(t.pos_ in {"VERB", "AUX"} for t in body):
        yield "statement_then_tag_word"


def _greeting(toks: list[Token], words: list[str], c: int) -> bool:
    """ "how are you (doing today)", "how's your weekend going", "how have things been": "how", a form of
    be / have / do, a greeting subject ("you", "things", "your week") and at most a few more words of
    the same kind; not "how's the integration going"."""
    head = words[c:]
    if len(head) < 3 or len(head) > 8 or head[0] != "how" or (
            toks[c + 1].lemma_.lower() not in {"be", "have", "do"} and head[1] not in {"'s", "'re", "'ve"}):
        return False
    k = 2
    if head[k] == "your" and k + 1 < len(head) and head[k + 1] in _GREETING_TIMES:
        k += 2
    elif head[k] in _GREETING_SUBJECTS:
        k += 1
    else:
        return False
    rest = toks[c + k :]
    return all(t.lemma_.lower() in _GREETING_VERBS or t.pos_ in {"ADV", "ADP", "PART", "INTJ"}
               or _word(t) in {"you", "ya", "your", "today", "lately", "far", "days", "end", "side", "there", "up"}
               for t in rest)


def _greets(toks: list[Token], words: list[str], c: int) -> bool:
    """A greeting where the sentence's content starts, or after a comma or a hello: "How are you?",
    "Hi, how are you?", "Long time no talk, how have things been?", "hey aisha how's everything"."""
    for i in range(c, len(words)):
        opens = i == c or (toks[i].i > 0 and toks[i].nbor(-1).is_punct) or (words[0] in _HELLOS and i <= 3)
        if words[i] == "how" and opens and _greeting(toks, words, i):
            return True
    return False


def _prompt(toks: list[Token], words: list[str], c: int) -> Iterator[str]:
    """Prompts for an open answer, and casual questions that dropped their auxiliary."""
    head = words[c:]
    i = c + 2 if head[:1] and head[0] in _MODALS and head[1:2] == ["you"] else c
    if i < len(words) and toks[i].lemma_.lower() in PROMPT_VERBS and words[i + 1 : i + 2] in (["me"], ["us"]):
        yield "prompt_verb" + ("_after_modal" if i > c else "")
    if any(w in _WANT_TO_KNOW for w in words) and head[:1] in (["i"], ["i'd"], ["i'm"], ["we"], ["we'd"]):
        yield "first_person_wants_to_know"
    # "you guys using gong", "you ever looked at", "how you planning": a participle right after "you"
    for j in range(c, min(c + 4, len(toks) - 1)):
        if words[j] == "you":
            nxt = j + 1 + (words[j + 1 : j + 2] in (["guys"], ["ever"]))
            if nxt < len(toks) and toks[nxt].tag_ in ("VBG", "VBN"):
                yield "you_participle"
            break


def _sentence_features(sent: Span, neighbours: Neighbours) -> Iterator[str]:
    toks = [t for t in sent if not t.is_punct and not t.is_space]
    words = [_word(t) for t in toks]
    text = sent.text.strip()
    yield f"len={_length_bucket(len(words))}"
    yield f"end={text[-1] if text and text[-1] in _PUNCT else 'none'}"
    yield f"before={neighbours.before}"
    yield f"after={neighbours.after}"
    if neighbours.after == "same" and neighbours.after_text.lower().lstrip().startswith(_ANSWER_OPENERS):
        yield "after=same_answers"
    if not words:
        return
    if len(words) <= 3:  # "Right?", "Is that right?", "Really?": what they are depends on who spoke before
        yield f"short={'_'.join(words)}|before={neighbours.before}"
    c = _content_start(words)
    head = words[c:]
    yield f"c1={head[0]}"
    yield f"c1tag={toks[c].tag_}"
    if len(head) > 1:
        yield f"c2={head[1]}"
        yield f"c12={head[0]}_{head[1]}"
        yield f"c1tag_c2tag={toks[c].tag_}_{toks[c + 1].tag_}"
    if len(head) > 2:
        yield f"c123={head[0]}_{head[1]}_{head[2]}"
    if c:
        yield "discourse_opener"
    yield f"l1={words[-1]}"
    if len(words) > 1:
        yield f"l12={words[-2]}_{words[-1]}"
        yield from _tag_ending(toks, words, c)
    for w in set(words):
        yield f"w={w}"
    for a, b in zip(words, words[1:], strict=False):
        yield f"b={a}_{b}"
    if _inverted(toks, c):
        yield "inverted_start"
    if _greets(toks, words, c):
        yield "greeting"
    if head[0] in WH_WORDS:
        yield "wh_first"
        if any(a.dep_ in {"csubj", "csubjpass"} for a in [toks[c], *toks[c].ancestors]):
            yield "wh_clause_subject"  # "what bugs me is ...", "who signs depends on ...": a statement
        if _inverted(toks, c + 1) or (c + 2 < len(toks) and _inverted(toks, c + 2)):
            yield "wh_inverted"
        if not any(t.pos_ in {"VERB", "AUX"} for t in toks[c:]):
            yield "wh_verbless"
    elif any(w in WH_WORDS for w in head[1:]):
        yield "wh_inside"
        # "..., how does that compare to ...?": a wh-question inside a longer sentence
        if any(w in WH_WORDS and _inverted(toks, i + 1) for i, w in enumerate(words) if i > c):
            yield "wh_inverted_inside"
    verb = next((i for i in range(c, len(toks)) if toks[i].pos_ in {"VERB", "AUX"}), None)
    if verb is not None and verb > c and not _inverted(toks, verb) and head[0] not in WH_WORDS \
            and any(t.dep_ in _SUBJECTS for t in toks[c:verb]):
        yield "statement_order"  # "The budget is already allocated?": a question only by its mark
    if "or" in words[c + 1 : -1]:
        yield "or_inside"
        if any(w in {"any", "anything", "ever", "anyone", "anybody"} for w in words[: words.index("or", c + 1)]):
            yield "or_after_any"  # "Do you have any questions or concerns?" is answered yes or no
    yield from _prompt(toks, words, c)
    if words[c] == "or" or (c > 0 and words[c - 1] == "or"):
        yield "or_start"
    if any(w in SECOND_PERSON for w in words) and "you know" not in " ".join(words):
        yield "second_person"
    for i, t in enumerate(toks[:-1]):
        nxt = words[i + 1]
        if t.lemma_.lower() in _QUOTING and (nxt in WH_WORDS or nxt in {"if", "whether"} or _inverted(toks, i + 1)):
            yield "saying_verb_before_question"
            break
    yield f"root={sent.root.pos_}"


# Forms that ask whatever the final mark says ("Walk me through it." asks as much as "...?"): each
# is also crossed with the final mark, so the model can weigh them apart from it.
_FORMS = ("prompt_verb", "inverted_start", "wh_first", "wh_inverted", "wh_inside", "wh_inverted_inside", "tag_aux_pronoun",
          "statement_then_tag_word",
          "wh_clause_subject", "greeting",
          "you_participle", "statement_order", "first_person_wants_to_know", "or_inside", "or_after_any", "saying_verb_before_question",
          "len=")


def sentence_features(sent: Span, neighbours: Neighbours = Neighbours()) -> list[str]:
    """The sentence's features, each plain and under its text's regime (`P|` or `U|`)."""
    regime = "P|" if any(ch in _PUNCT for ch in sent.doc.text) else "U|"
    plain = list(dict.fromkeys(_sentence_features(sent, neighbours)))
    end = next(f for f in plain if f.startswith("end="))
    plain += [f"{f}|{end}" for f in plain if f.startswith(_FORMS)]
    return plain + [regime + f for f in plain]


__all__ = ["Neighbour", "Neighbours", "sentence_features"]
