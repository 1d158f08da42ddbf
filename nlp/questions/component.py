"""The `question_classifier` spaCy component and the countable questions of a transcript.

`register()` adds the component's factory and its span attributes to spaCy (idempotent; the
English pipeline of `nlp.sentences.load_spacy` calls it before `add_pipe`). The component sets
three extension attributes on every sentence span:
`span._.question_type` ("open", "yes_no", "choice", "declarative", "tag" or None),
`span._.is_backchannel` ("Really?", "Oh, is that right?") and `span._.is_rhetorical`
("Who knows?", a question the speaker answers at once). Only sentences with a type and neither
flag are countable questions. The types come from the trained model (`nlp.questions.model`)
reading each sentence's features (`nlp.questions.features`); the sentences of a batch of docs
are scored together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.questions.context import ContextItem, RollingContext, resolve_types
from nlp.questions.features import Neighbours, sentence_features
from nlp.questions.model import english_model
from nlp.types import QUESTION_TYPES, Question, QuestionType

if TYPE_CHECKING:  # nlp.sentences adds this component to its pipeline
    from nlp.sentences import Sentence


def _neighbours(sents: Sequence[Span], i: int) -> Neighbours:
    """A doc is one speaker's turn: before its first sentence the other speaker spoke, after its
    last the other speaker goes on."""
    last = i + 1 == len(sents)
    return Neighbours("same" if i else "other", "other" if last else "same", "" if last else sents[i + 1].text)


def label_sentences(docs: Sequence[Doc]) -> None:
    """Scores every sentence of `docs` at once and sets its three span attributes."""
    sents = [list(doc.sents) for doc in docs]
    flat = [s for doc_sents in sents for s in doc_sents]
    features = [sentence_features(s, _neighbours(doc_sents, i)) for doc_sents in sents for i, s in enumerate(doc_sents)]
    for sent, label in zip(flat, english_model().predict(features), strict=True):
        sent._.question_type = label if label in QUESTION_TYPES else None
        sent._.is_backchannel = label == "backchannel"
        sent._.is_rhetorical = label == "rhetorical"


@dataclass(frozen=True, slots=True)
class QuestionClassifier:
    """Marks question types on each sentence of a `Doc` (a turn or an utterance)."""

    batch_size: int = 256

    def __call__(self, doc: Doc) -> Doc:
        label_sentences([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        it = iter(docs)
        while batch := list(islice(it, batch_size or self.batch_size)):
            label_sentences(batch)
            yield from batch


COMPONENT = "question_classifier"
_SPAN_ATTRIBUTES = {"question_type": None, "is_backchannel": False, "is_rhetorical": False}


def make_question_classifier(nlp: Language, name: str) -> QuestionClassifier:
    """spaCy factory: `nlp.add_pipe("question_classifier")` (needs a parser before it)."""
    return QuestionClassifier()


def register() -> None:
    """Registers the component's factory and span attributes with spaCy (safe to call again)."""
    for attribute, default in _SPAN_ATTRIBUTES.items():
        if not Span.has_extension(attribute):
            Span.set_extension(attribute, default=default)
    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, func=make_question_classifier)


def countable_type(span: Span) -> QuestionType | None:
    """The span's question type if it counts as a question (not a backchannel or rhetorical)."""
    if span._.is_backchannel or span._.is_rhetorical:
        return None
    qtype: QuestionType | None = span._.question_type
    return qtype


def context_item(speaker: str, span: Span) -> ContextItem:
    """One classified sentence as an item for `nlp.questions.context`."""
    return ContextItem(speaker, span.text, span._.question_type, span._.is_backchannel, span._.is_rhetorical)


def context_items(sentences: Sequence[Sentence]) -> list[ContextItem]:
    """The classified sentences of a conversation as items for `nlp.questions.context`."""
    return [context_item(s.speaker, s.span) for s in sentences]


def questions_from_sentences(sentences: Sequence[Sentence], *, context: RollingContext | None = None) -> list[Question]:
    """The countable questions among already-classified sentences (in conversation order), with
    the context rules of `nlp.questions.context` applied across turns. `context` carries the
    sentences of earlier calls when a conversation arrives in pieces (a live call)."""
    items = context_items(sentences)
    types = context.resolve(items) if context is not None else resolve_types(items)
    found: list[Question] = []
    for s, qtype in zip(sentences, types, strict=True):
        if qtype is not None:
            found.append(Question(speaker=s.speaker, start=s.start, end=s.end, text=s.text, type=qtype))
    return found
