"""Question types of plain texts, through the whole English pipeline (for tests, benches and
inspecting the model)."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language

from nlp.questions.component import classify_doc
from nlp.sentences import load_spacy
from nlp.types import QuestionReading, QuestionType


def classify_texts(texts: Iterable[str], *, nlp: Language | None = None) -> list[QuestionType | None]:
    """Question type (or None) for each utterance text; runs the whole English pipeline."""
    pipeline = nlp if nlp is not None else load_spacy()
    return [classify_doc(doc) for doc in pipeline.pipe(texts, batch_size=256)]


def read_text(text: str) -> QuestionReading:
    """The reading of the last sentence of a text (for inspecting the model)."""
    doc = load_spacy()(text)
    sent = list(doc.sents)[-1]
    return QuestionReading(sent._.question_type, sent._.is_backchannel, sent._.is_rhetorical)
