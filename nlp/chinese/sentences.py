"""Chinese turns as spaCy `Doc`s: words, sentences (punctuation, final particles and, for
unpunctuated recogniser output, pauses between the words) and question types."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from spacy.tokens import Doc

from nlp.chinese.pipeline import PAUSE_SPLIT_S, SENTENCE_END, load_chinese
from nlp.questions.chinese import COMPONENT as QUESTION_CLASSIFIER
from transcription.scripts import word_offsets
from transcription.types import Word

_BATCH_SIZE = 64


def split_at_pauses(doc: Doc, words: Sequence[Word], pause_s: float = PAUSE_SPLIT_S) -> Doc:
    """In an unpunctuated turn, start a sentence at each word that follows a pause of at least
    `pause_s` (what a speaker's breath shows when the recogniser wrote no punctuation)."""
    if any(t.text and all(c in SENTENCE_END for c in t.text) for t in doc):
        return doc
    _, offsets = word_offsets([w.word for w in words])
    starts = {offsets[k] for k in range(1, len(words))
              if words[k].start - max(w.end for w in words[:k]) >= pause_s and words[k].word.strip()}
    for token in doc:
        if token.i > 0 and token.idx in starts and not token.is_punct:
            token.is_sent_start = True
    return doc


def chinese_docs(turn_words: Sequence[Sequence[Word]], *, timed: bool = True) -> Iterator[Doc]:
    """One classified `Doc` per turn (its words as `join_words` joins them); `timed`: the words
    have real times, so pauses may split unpunctuated turns."""
    nlp = load_chinese()
    texts = [word_offsets([w.word for w in words])[0] for words in turn_words]
    classifier = nlp.get_pipe(QUESTION_CLASSIFIER)
    with nlp.select_pipes(disable=[QUESTION_CLASSIFIER]):
        docs = list(nlp.pipe(texts, batch_size=_BATCH_SIZE))
    for doc, words in zip(docs, turn_words, strict=True):
        yield classifier(split_at_pauses(doc, words) if timed else doc)


__all__ = ["chinese_docs", "split_at_pauses"]
