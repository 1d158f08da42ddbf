"""Forms that choose between the closed question types: "or" between real alternatives (`choice`,
not the yes/no "any questions or concerns?") and tag endings (`tag`: "..., right?", "..., isn't it?")."""

from __future__ import annotations

from spacy.tokens import Span, Token

from bench.question_rules.syntax import (
    NEGATION,
    OR_VAGUE,
    SUBJECT_DEPS,
    TAG_PRONOUNS,
    TAG_WORDS,
    WH_WORDS,
    has_punctuation,
    is_finite_aux,
    is_inverted,
    norm,
)

# Before "or" these make the whole disjunction one yes/no question: "Do you have any nieces or
# nephews?", "Have you ever made that or had it?" are answered "yes", not with one of the two.
_EXISTENTIAL_SCOPE = frozenset({"any", "anything", "anybody", "anyone", "anywhere", "ever"})
# A last "or" with one of these turns the options before it into examples: "Do you exercise at home
# or go to a gym or anything?" asks whether, not which.
_EXAMPLES_TAIL = frozenset({"anything", "something", "whatever", "anybody", "anyone", "so", "otherwise"})


def or_alternative(toks: list[Token]) -> bool:
    """An "or" joining two real alternatives ("Salesforce or HubSpot"), not "or not"/"or something"
    and not inside "any"/"ever" ("any questions or concerns")."""
    ors = [i for i, t in enumerate(toks) if norm(t) == "or"]
    if ors and ors[-1] + 1 < len(toks) and norm(toks[ors[-1] + 1]) in _EXAMPLES_TAIL:
        return False
    for i, tok in enumerate(toks):
        if norm(tok) != "or" or i == 0 or i + 1 >= len(toks):
            continue
        if any(norm(t) in _EXISTENTIAL_SCOPE for t in toks[:i]):
            return False
        nxt = norm(toks[i + 1])
        if nxt in OR_VAGUE or (tok.i + 1 < len(tok.doc) and norm(tok.doc[tok.i + 1]) in OR_VAGUE):
            continue
        if toks[i - 1].like_num and toks[i + 1].like_num:
            continue  # "one or two" is an estimate, not a choice
        return True
    return False


def tag_ending(sent: Span, toks: list[Token], question_mark: bool) -> bool:
    """"..., right?", "..., isn't it?", "you use HubSpot, don't you?"."""
    if len(toks) < 3:
        return False
    words = [norm(t) for t in toks]
    body = toks[:-1]
    has_clause = any(t.dep_ in SUBJECT_DEPS for t in body) and any(t.pos_ in {"VERB", "AUX"} for t in body)
    if is_inverted(toks) or norm(toks[0]) in WH_WORDS:
        return False
    last = toks[-1]
    before_last = sent.doc[last.i - 1] if last.i > 0 else None
    comma_before = before_last is not None and before_last.text == ","
    if comma_before and (words[-1] in {"right", "correct", "huh", "eh"} or question_mark and words[-1] in TAG_WORDS):
        return has_clause or len(body) >= 2
    if not has_clause:
        return False
    if not has_punctuation(sent) and words[-1] == "huh" and len(words) >= 3:
        return True  # "sulked for a while huh"
    if not has_punctuation(sent) and words[-1] == "right" and last.dep_ in {"intj", "advmod", "npadvmod"}:
        return words[-2] not in {"that's", "'s", "'re", "is", "are", "all", "exactly", "just", "you", "alright"}
    # aux (+n't) + pronoun: "isn't it", "don't you", "wouldn't you say"
    if words[-1] in TAG_PRONOUNS and len(toks) >= 4:
        aux_i = len(toks) - 2
        if words[aux_i] in {"n't", "not"}:
            aux_i -= 1
        aux = toks[aux_i]
        neg = words[aux_i + 1] in {"n't", "not"} or words[aux_i].endswith("n't")
        if not is_finite_aux(aux) or aux_i < 2:
            return False
        comma = sent.doc[aux.i - 1].text == ","
        echoes = _echoes_subject(toks[:aux_i], words[-1])
        if neg or question_mark:
            return comma or echoes or not has_punctuation(sent)
        # A positive tag after a negative statement, set off by a comma, is a tag with or without
        # "?": "it's not affiliated with anything, is it." (without the comma, "he didn't look
        # like a cop when he did it" ends in a clause).
        return any(w in NEGATION for w in words[:aux_i]) and (comma or echoes)
    return False


def _echoes_subject(body: list[Token], pronoun: str) -> bool:
    """The tag repeats the statement's own subject pronoun ("we could talk all day couldn't we"),
    which marks a tag even where the transcriber left out the comma."""
    return any(t.dep_ in SUBJECT_DEPS and norm(t) == pronoun and pronoun != "it" for t in body)
