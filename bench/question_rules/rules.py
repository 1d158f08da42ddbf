"""Syntax rules that decide whether a parsed sentence is a question, and of which type.

The rules are the project's own (no statistical model trained on dialogue-act corpora). They read
the spaCy parse of one sentence: the first content word after discourse markers ("so", "uh",
"well"), whether it is a wh-word or a finite auxiliary followed by its subject (inversion), "or"
alternatives and tag endings ("..., right?", "isn't it?"; both in `nlp.closed_questions`) and the
final "?" when there is one. Everything works on lower-case text without punctuation too, where
the parse is all there is.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from bench.question_rules.closed import or_alternative, tag_ending
from bench.question_rules.non_questions import is_backchannel, is_greeting, is_rhetorical_form
from bench.question_rules.prompts import asks_whether, prompt_for_open_answer
from bench.question_rules.syntax import (
    AUX_LEMMAS,
    DISCOURSE,
    FINITE_TAGS,
    NEGATION,
    PROMPT_VERBS,
    QUOTING_VERBS,
    SUBJECT_DEPS,
    TAG_PRONOUNS,
    WH_WORDS,
    content_tokens,
    content_tokens_from,
    ends_with_question_mark,
    has_punctuation,
    is_finite_aux,
    is_inverted,
    is_subject,
    joined,
    norm,
)
from nlp.types import QuestionReading, QuestionType

_WH_NOUN_HEADS = frozenset({"what", "which", "whose", "how"})
_COPULA_NEXT = frozenset({"'s", "is", "'re", "are", "was", "were", "else", "about", "exactly", "kind", "sort",
                          "type", "come", "if"})


def _wh_question(toks: list[Token], question_mark: bool, punctuated: bool) -> bool:
    """A wh-word that opens a direct question, not a free relative ("What I do is ...") or an
    adverbial or relative clause ("When I was there, ...", "which is why ...").

    In punctuated text without "?", only inverted forms count ("What do you use.").
    """
    first = toks[0]
    wh = norm(first)
    if wh not in WH_WORDS or wh == "whatever":
        return False
    rest = toks[1:]
    loose = question_mark or not punctuated  # text that cannot contradict a question reading
    if not rest:
        return question_mark  # "Why?" / "How?"
    if not punctuated and len(toks) <= 5 and not any(t.pos_ in {"VERB", "AUX"} for t in toks):
        # Verbless: "what year", "where in colorado" ask; "how neat", "what a day", "what uh" exclaim or stall.
        measures = {"old", "long", "much", "many", "far", "big", "often", "soon", "come", "about"}
        exclaims = norm(rest[0]) in {"a", "an", "luck", "fun"} or (
            wh == "how" and rest[0].pos_ in {"ADJ", "ADV"} and norm(rest[0]) not in measures
        )
        return not exclaims and rest[0].pos_ != "INTJ" and norm(rest[-1]) not in DISCOURSE
    nxt = norm(rest[0])
    if nxt in _COPULA_NEXT:
        if nxt == "if":
            return question_mark
        if nxt == "about" and (len(rest) < 2 or norm(rest[-1]) in DISCOURSE):
            return False  # "Well what about, uh," trails off
        if wh == "what" and not question_mark and _free_relative(rest):
            return False
        if wh == "which" or len(toks) < 3:
            return question_mark  # "which is a lot of money", "What's,"
        return loose or len(toks) >= 3
    if wh != "if" and _drops_auxiliary(rest):
        return True  # "where you guys heading", "what you been up to": the auxiliary dropped
    if wh in {"when", "where", "why", "how", "if"} and is_subject(rest[0]) and not is_inverted(rest):
        # "when you're there ...": an adverbial clause ("How you doing?" drops its auxiliary).
        return question_mark and len(toks) <= 4
    # "how many people do you", "which tool did", "what time is": skip the wh-phrase's noun.
    i = 0
    # The wh-phrase may run on: "what kind of a car do you", "what section of the government do you".
    while i < len(rest) and i < 6 and (
        rest[i].pos_ in {"NOUN", "ADJ", "ADV", "DET", "NUM", "PROPN"} or (norm(rest[i]) == "of" and i > 0)
    ):
        if rest[i].dep_ in SUBJECT_DEPS and wh in _WH_NOUN_HEADS and i + 1 < len(rest):
            return loose  # "which vendor handles ...", "how many people use it"
        if rest[i].dep_ in SUBJECT_DEPS:
            return False  # "when that urinalysis came around"
        i += 1
    if i < len(rest) and is_inverted(rest[i:]):
        return True
    if first.dep_ in SUBJECT_DEPS and wh in {"what", "who"} and i < len(rest) and rest[i].tag_ in FINITE_TAGS:
        return loose  # "What prompted you ...", "who handles billing"
    return question_mark


_SELF_TALK = ("how shall i say", "how should i put it", "how can i put it", "how do i say", "how can i say",
              "what's it called", "what is it called", "what do you call", "what do they call", "what's the word",
              "what is the word", "what was i", "what am i", "what did i", "which do i", "what's the right word",
              "how do you put it", "how do you say it", "why can't i")
# Memory searches that, asked with "?", are usually real questions ("What's her name?").
_SELF_TALK_UNMARKED = ("what's his name", "what's her name", "what is his name", "what is her name",
                       "what's their name", "what is their name", "what was the name", "what's the name of",
                       "what is the name of", "what else")


def _free_relative(rest: list[Token]) -> bool:
    """"what's sad about that is ...", "what's more likely to occur is ...": a clause used as a
    subject, recognisable by a second copula later on."""
    if norm(rest[0]) not in {"'s", "is", "was"} or len(rest) < 3:
        return False
    follows = rest[1:3]
    if not any(t.pos_ in {"ADJ"} for t in follows):
        return False
    return any(norm(t) in {"is", "was", "'s"} and t.pos_ == "AUX" for t in rest[2:])


def _self_talk(toks: list[Token], question_mark: bool = False) -> bool:
    """Speakers searching their own memory: "what do you call it", "what else have I done",
    "what am I supposed to do", "what's it called"."""
    words = [norm(t) for t in toks]
    text = joined(words)
    if len(words) > 3 and text.startswith(("what is it ", "what was it ")) and "you" not in words:
        return words[3] != "like"  # "what is it like there?" asks
    if text.startswith(_SELF_TALK) or (not question_mark and text.startswith(_SELF_TALK_UNMARKED)):
        return not text.startswith(("what else do you", "what else can", "what else would", "what else should"))
    return len(words) >= 3 and words[0] in {"what", "which"} and words[2] == "i" and words[1] in {
        "do", "did", "have", "had", "am", "was"} and "need" not in words


_AGREEMENT_OPENERS = frozenset({"so", "neither", "nor"})
_FIRST_PERSON = frozenset({"i", "we", "mine", "ours"})


def _agreement(sent: Span) -> bool:
    """"So did I.", "Neither do we", "so is mine": the speaker agrees; the inversion asks nothing."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    while words and norm(words[0]) in DISCOURSE and norm(words[0]) not in _AGREEMENT_OPENERS:
        words = words[1:]
    if len(words) < 3 or norm(words[0]) not in _AGREEMENT_OPENERS:
        return False
    rest = [t for t in words[1:] if norm(t) not in NEGATION]
    return len(rest) == 2 and rest[0].lemma_.lower() in AUX_LEMMAS and norm(rest[1]) in _FIRST_PERSON


def _suggestion(toks: list[Token]) -> bool:
    """"Why don't you go first", "why don't we set up a call": proposals, not questions."""
    words = [norm(t) for t in toks[:4]]
    return words[:2] in (["why", "do"], ["why", "don't"]) and (
        words[1:3] == ["do", "n't"] or words[1] == "don't"
    ) and bool({"you", "we"} & set(words))


_REQUESTS = ("hold on", "hang on", "hold the phone", "bear with", "excuse me", "hold for", "hang up")


def _conditional_inversion(sent: Span, clause: list[Token], question_mark: bool) -> bool:
    """"Should you need assistance, please ...", "..., had there been another child": a condition,
    not a question."""
    if question_mark or norm(clause[0]) not in {"should", "had", "were"}:
        return False
    later_clause = clause[0].i > sent.start and any(t.text == "," for t in sent.doc[sent.start : clause[0].i])
    return later_clause or any(t.text == "," for t in sent.doc[clause[0].i : sent.end])


def _is_request(toks: list[Token]) -> bool:
    """Requests phrased as questions that ask for no answer: "could you hold on a second"."""
    text = joined([norm(t) for t in toks[:6]])
    return any(r in text for r in _REQUESTS)


def _exclamative(toks: list[Token]) -> bool:
    """Negative inverted exclamations: "Isn't that terrible?", "isn't that the truth"."""
    words = [norm(t) for t in toks]
    return (
        len(words) <= 5
        and len(words) >= 3
        and is_finite_aux(toks[0])
        and (words[0].endswith("n't") or words[1] in NEGATION)
        and "that" in words[1:3]
        and (toks[-1].pos_ == "ADJ" or words[-1] in {"truth", "something", "shame", "pity"})
    )


# Openers and endings that present a statement as an inference to confirm ("So you're on
# Salesforce today?", "Your team is in Austin, then?"): the declarative question. Statement-order
# questions without such a cue are yes/no questions with the auxiliary left out or a rising
# statement, which is how dialogue-act annotators label most of them (SwDA train).
_INFERENCE_OPENERS = frozenset({"so", "then", "now"})
_INFERENCE_PHRASES = ("you mean", "you're saying", "you are saying", "i take it", "i assume", "i guess",
                      "i gather", "sounds like", "it sounds like", "i'm guessing", "you said")
_INFERENCE_ENDINGS = frozenset({"then", "now", "already", "too", "still"})
_INFERENCE_TAILS = (["you", "said"], ["you", "say"], ["you", "mean"], ["i", "take", "it"], ["i", "guess"])


def _introduces_quote(before: list[Token]) -> bool:
    """Words before a comma that introduce reported speech or an embedded question: "I said,",
    "people saying,", "I'm like,", "the point was,", "I asked him,"."""
    words = [norm(t) for t in before[-4:]]
    prefix = content_tokens_from(before)
    asks = bool(prefix) and (norm(prefix[0]) in WH_WORDS or is_inverted(prefix))
    if not words or "question" in words or "questions" in words or asks:
        return False  # "my question is, ...", "are you saying, ..." ask themselves
    if words[-1] in {"is", "was", "'s"} and len(before) >= 2 and before[-2].pos_ in {"NOUN", "PROPN"}:
        return True  # "the point was, ...", "my question ... is," (handled above)
    if words[-1] == "like" and any(w in {"'m", "am", "was", "'s", "is", "were", "'re"} for w in words[:-1]):
        return True
    if "gosh" in words or "god" in words:
        return True  # "oh my gosh, where did it all go"
    last = before[-1]
    if last.lemma_.lower() in QUOTING_VERBS and last.pos_ == "VERB" and last.tag_ != "VB":
        return True  # "I said,", "she goes,"
    # "I asked him,", "they told us,"
    return len(before) >= 2 and before[-2].lemma_.lower() in {"say", "ask", "tell"} and last.pos_ == "PRON"


_SECOND_PERSON_SUBJECTS = (["you", "guys"], ["you", "all"], ["y'all"], ["you"])  # longest first
_BEFORE_PARTICIPLE = frozenset({"ever", "already", "still", "all", "just"})


def _drops_auxiliary(clause: list[Token]) -> bool:
    """A second-person subject straight followed by a participle, its auxiliary dropped as in
    casual speech: "you guys using gong", "you ever looked at it", "you been there before". Without
    the auxiliary the statement reading is ungrammatical, so it is a question."""
    words = [norm(t) for t in clause]
    for subject in _SECOND_PERSON_SUBJECTS:
        n = len(subject)
        if words[:n] != subject or len(clause) <= n:
            continue
        at = n + 1 if words[n] in _BEFORE_PARTICIPLE and len(clause) > n + 1 else n
        verb = clause[at]
        if words[at] == "been":  # "you been there before", not "you been great"
            after = clause[at + 1] if at + 1 < len(clause) else None
            return after is not None and after.pos_ not in {"ADJ", "ADV"} and words[at + 1] not in {"a", "an"}
        # A past form only after "ever" ("you ever heard of it"): "you guys used it" is a statement.
        return verb.tag_ in {"VBG", "VBN"} or (words[n] == "ever" and verb.tag_ == "VBD")
    return False


def _clause_starts(sent: Span, toks: list[Token]) -> list[int]:
    """Indices into `toks` where a clause may start: the first token, tokens after a comma or a
    restart ("you, are you", "Did you go, what kind of ..."), and after a leading vocative."""
    starts = [0]
    for i, tok in enumerate(toks[1:12], start=1):
        prev = sent.doc[tok.i - 1] if tok.i > sent.start else None
        if prev is not None and prev.text in {",", "--", "-", ";", ":"}:
            if _introduces_quote(toks[:i]):
                return []  # "I said, why would we pay that?": reported, not asked
            starts.append(i)
        elif i == 1 and toks[0].pos_ == "PROPN" and (norm(tok) in WH_WORDS or is_finite_aux(tok)):
            starts.append(i)  # "Ellen what kind of car ..."
        elif i == 1 and toks[0].pos_ == "ADP" and norm(tok) in WH_WORDS and ends_with_question_mark(sent):
            starts.append(i)  # "In what section do you work?"
    return starts


def _form(sent: Span, clause: list[Token], question_mark: bool, punctuated: bool) -> str | None:
    """The interrogative form of a clause: "wh", "prompt", "inverted-prompt", "inverted" or None."""
    if not clause:
        return None
    if norm(clause[0]) in WH_WORDS and _wh_question(clause, question_mark, punctuated):
        return "wh"
    inverted = is_inverted(clause)
    if inverted and len(clause) > 2 and clause[2].lemma_.lower() in PROMPT_VERBS and prompt_for_open_answer(
        clause[2:]
    ):
        return "prompt"  # "Can you walk me through ...?"
    if prompt_for_open_answer(clause):
        return "prompt"
    return "inverted" if inverted else None


def _statement_question(sent: Span, toks: list[Token]) -> QuestionType:
    """Type of a "?"-ended question in statement word order."""
    skipped = [norm(t) for t in sent if not (t.is_punct or t.is_space) and (not toks or t.i < toks[0].i)]
    words = [norm(t) for t in toks]
    text = joined(words)
    if any(w in _INFERENCE_OPENERS for w in skipped[:3]) or text.startswith(_INFERENCE_PHRASES):
        return "declarative"
    if words and words[-1] in _INFERENCE_ENDINGS or any(words[-len(t) :] == t for t in _INFERENCE_TAILS):
        return "declarative"
    return "yes_no"


_NO_INVERSION_BEFORE = frozenset({"than", "as", "so", "neither", "nor", "what", "how", "where", "when", "why",
                                  "who", "which", "whether", "if", "that", "the", "only"})


def _inverted_not_clitic(toks: list[Token]) -> bool:
    return bool(toks) and not norm(toks[0]).startswith("'") and is_inverted(toks)


def _late_inversion(toks: list[Token]) -> QuestionType | None:
    """A question after a preface: an auxiliary directly followed by a subject pronoun ("at this
    time of year are you doing much gardening" -> yes_no) or a wh-word followed by inversion
    ("we use salesforce what do you integrate with" -> open)."""
    for i in range(1, len(toks) - 1):
        aux, subj, prev = toks[i], toks[i + 1], toks[i - 1]
        wh_here = (
            norm(aux) in WH_WORDS
            and norm(prev) not in _NO_INVERSION_BEFORE
            and not _introduces_quote(toks[:i])
            and not _self_talk(toks[i:])
        )
        if wh_here and (
            _inverted_not_clitic(toks[i + 1 :]) or toks[i + 1].pos_ == "NOUN" and _inverted_not_clitic(toks[i + 2 :])
        ):
            return "open"
        # After an adverbial preface ("when you're there on weekends is it crowded") "it" and
        # "there" are subjects too; elsewhere they are too often objects.
        pronouns = {"you", "we", "they", "he", "she"} | (
            {"it", "there"} if norm(toks[0]) in {"when", "if", "where", "while", "since"} else set()
        )
        if not (is_finite_aux(aux) and subj.i == aux.i + 1 and norm(subj) in pronouns):
            continue
        if norm(aux).startswith("'") or norm(prev) in _NO_INVERSION_BEFORE or is_subject(prev):
            continue  # "they're they're", "so do we", "he was he was" (a repeated statement)
        if any(norm(t) == norm(subj) for t in toks[max(0, i - 3) : i]):
            continue  # "but they do they do a lot": a repeated statement
        return "yes_no"
    return None


def _aside_or_repeat(sent: Span, toks: list[Token], start: int) -> bool:
    """A clause after a comma that only repeats the words before it ("is their, is their life")
    or is a two-word aside ("I think it was, was it, oh, ...")."""
    before = [norm(t) for t in toks[max(0, start - 2) : start]]
    after = [norm(t) for t in toks[start : start + 2]]
    if before and before == after[: len(before)]:
        return True
    # Tokens of this clause up to the next comma.
    first = toks[start]
    clause: list[Token] = []
    for tok in sent.doc[first.i : sent.end]:
        if tok.text == ",":
            break
        if not tok.is_punct:
            clause.append(tok)
    return len(clause) <= 2 and first.i + len(clause) < sent.end - 1 and norm(clause[-1]) in TAG_PRONOUNS




_ADVERBIAL_WH = frozenset({"when", "where", "while", "if", "since", "because", "how", "why"})


def read_question(sent: Span) -> QuestionReading:
    """Classify one sentence (see the module docstring)."""
    question_mark = ends_with_question_mark(sent)
    punctuated = has_punctuation(sent)
    toks = content_tokens(sent)
    starts_with_or = any(norm(t) == "or" for t in sent[:3])
    if _agreement(sent):
        return QuestionReading(None)  # "So did I.": a statement, not a question or a reaction to one
    # "or do you,": the second half of a question, not a reaction.
    if is_backchannel(sent, toks) and not (starts_with_or and toks and is_finite_aux(toks[0])):
        return QuestionReading(None, is_backchannel=question_mark or len(toks) <= 2)
    if not toks:
        return QuestionReading(None)
    if is_rhetorical_form(sent, toks) or _self_talk(toks, question_mark):
        return QuestionReading(None, is_rhetorical=True)
    if _suggestion(toks):
        return QuestionReading(None)
    if _exclamative(toks):
        return QuestionReading(None, is_backchannel=True)
    # Restarts and prefaces ("Did you go, what kind of paint did you use?"): the last clause with
    # an interrogative form decides.
    form, clause = None, toks
    starts = _clause_starts(sent, toks)
    if not starts:
        return QuestionReading(None, is_rhetorical=question_mark)
    for start in starts:
        if start > 0 and norm(toks[start]) in _ADVERBIAL_WH and start + 1 < len(toks) and is_subject(
            toks[start + 1]
        ):
            continue  # "..., when it comes out?" is an adverbial clause, not a new question
        if start > 0 and norm(toks[start]) in WH_WORDS and toks[start].head.dep_ == "relcl":
            continue  # "I have a daughter, who's a beautician."
        candidate = content_tokens_from(toks[start:])
        if not candidate:
            continue
        if start > 0 and len(candidate) <= 3 and norm(candidate[-1]) in TAG_PRONOUNS:
            continue  # a tag ("..., don't you?"), not a new question
        if start > 0 and _aside_or_repeat(sent, toks, start):
            continue
        f = _form(sent, candidate, question_mark, punctuated)
        if f is not None and not (form == "wh" and f == "inverted"):
            # "What kind of cars do you, do you usually drive?" stays a wh-question.
            form, clause = f, candidate
    if form == "wh" and is_greeting(clause):
        return QuestionReading(None, is_backchannel=True)
    if form == "wh":
        if _self_talk(clause, question_mark):
            return QuestionReading(None, is_rhetorical=True)
        if norm(clause[0]) == "which" and or_alternative(clause):
            return QuestionReading("choice")
        return QuestionReading("open")
    if form == "prompt":
        return QuestionReading("open")
    if form is None and asks_whether(toks):
        return QuestionReading("yes_no")  # "I'm curious if you've looked at ...", "I was wondering whether ..."
    if form == "inverted":
        if _is_request(clause) or _conditional_inversion(sent, clause, question_mark):
            return QuestionReading(None)
        if _exclamative(clause):
            return QuestionReading(None, is_backchannel=True)
        if starts_with_or or or_alternative(clause):
            return QuestionReading("choice")
        return QuestionReading("yes_no")
    late_allowed = question_mark or not punctuated
    if form is None and late_allowed and len(toks) >= 3 and _late_inversion(toks) is not None:
        # "When you're there on weekends, are you busy?": an inverted main clause after a preface.
        return QuestionReading(_late_inversion(toks))
    if tag_ending(sent, toks, question_mark):
        return QuestionReading("tag")
    words = [norm(t) for t in toks]
    if len(words) >= 3 and (words[-1] == "or" or words[-2:] == ["or", "what"]) and (
        question_mark or bool({"you", "your", "y'all"} & set(words))
    ):
        return QuestionReading("yes_no")  # trailing alternatives: "You have a fenced yard or ...", "... or what?"
    if (question_mark or not punctuated) and _drops_auxiliary(toks):
        # "you guys using salesforce", "You been there before?", "you using the free tier or the paid one"
        return QuestionReading("choice" if or_alternative(toks) else "yes_no")
    if not question_mark:
        return QuestionReading(None)
    if len(words) >= 4 and words[-2:] == ["you", "know"]:
        return QuestionReading(None)  # "..., you know?" asks for no answer
    if starts_with_or:
        return QuestionReading("choice")
    # Wh-word in place: "You do what?", "and that costs how much?"
    if len(toks) >= 3 and words[-2:] != ["or", "what"] and norm(toks[-1]) in WH_WORDS | {"much", "many", "long"} and any(
        norm(t) in WH_WORDS for t in toks[1:]
    ):
        return QuestionReading("open")
    has_subject = any(t.dep_ in SUBJECT_DEPS for t in toks)
    has_verb = any(t.pos_ in {"VERB", "AUX"} for t in toks)
    if has_subject and has_verb:
        return QuestionReading(_statement_question(sent, toks))
    if len(words) <= 2 and words[-1] in WH_WORDS:
        return QuestionReading(None, is_backchannel=True)  # "Invisible what?": asking to repeat
    # Elliptical: "Any questions?", "And you?", "Anything else on your side?", "Latex paint?".
    return QuestionReading("yes_no")
