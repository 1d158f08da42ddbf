"""The `question_classifier` spaCy component and the countable questions of a transcript.

`register()` adds the component's factory and its span attributes to spaCy (idempotent; the
English pipeline of `nlp.sentences.load_spacy` calls it before `add_pipe`). The component sets
three extension attributes on every sentence span:
`span._.question_type` ("open", "yes_no", "choice", "declarative", "tag" or None),
`span._.is_backchannel` ("Really?", "Oh, is that right?") and `span._.is_rhetorical`
("Who knows?", a question the speaker answers at once). Only sentences with a type and neither
flag are countable questions. The rules live in `nlp.questions.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.questions.context import ContextItem, RollingContext, resolve_types
from nlp.questions.rules import QuestionReading, read_question
from nlp.types import Question, QuestionType


class Sentence(Protocol):
    """A classified sentence of a conversation (`nlp.sentences.Sentence`)."""

    @property
    def speaker(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def span(self) -> Span: ...

_CONFIRMATION = re.compile(r"^(?:\W*(?:and|so|but|oh|okay)\W+)?(?:is|was) (?:that|this) (?:right|correct|true|accurate|fair)\W*$")
_TAG_ALONE = re.compile(r"^(?:right|correct|yeah|no|okay|isn't it|aren't you|don't you|didn't you|wouldn't you)\?$")
# A question the same speaker answers straight away ("Why does this matter? Because ...") is
# rhetorical; these openers mark the answer.
_SELF_ANSWER_OPENERS = ("because", "cause", "'cause", "the answer is", "the reason is", "simple", "well,",
                        "it's because", "that's because", "answer:", "the short answer")


@dataclass(frozen=True, slots=True)
class QuestionClassifier:
    """Marks question types on each sentence of a `Doc` (a turn or an utterance).

    `self_answer_rhetorical`: treat a question followed, in the same turn, by a sentence that
    starts like an answer ("Because ...") as rhetorical.
    """

    self_answer_rhetorical: bool = True

    def __call__(self, doc: Doc) -> Doc:
        sents = list(doc.sents)
        for i, sent in enumerate(sents):
            reading = read_question(sent)
            if reading.is_backchannel and i > 0 and _CONFIRMATION.match(sent.text.lower()):
                # "Is that correct?" after the speaker's own statement checks it: a real question.
                reading = QuestionReading("yes_no")
            elif reading.is_backchannel and i > 0 and _TAG_ALONE.match(sent.text.lower()):
                # "It's the renewal. Right?": a tag on the speaker's own statement.
                reading = QuestionReading("tag")
            rhetorical = reading.is_rhetorical
            if (
                reading.type is not None
                and self.self_answer_rhetorical
                and i + 1 < len(sents)
                and reading.type in ("open", "yes_no")
                and sents[i + 1].text.lower().lstrip().startswith(_SELF_ANSWER_OPENERS)
                # "Can you walk us through X? Because ..." explains why the speaker asks.
                and not any(t.lower_ in {"you", "your", "you're", "y'all"} for t in sent)
            ):
                rhetorical = True
            sent._.question_type = reading.type
            sent._.is_backchannel = reading.is_backchannel
            sent._.is_rhetorical = rhetorical
        return doc


COMPONENT = "question_classifier"
_SPAN_ATTRIBUTES = {"question_type": None, "is_backchannel": False, "is_rhetorical": False}


def make_question_classifier(nlp: Language, name: str, self_answer_rhetorical: bool) -> QuestionClassifier:
    """spaCy factory: `nlp.add_pipe("question_classifier")` (needs a parser before it)."""
    return QuestionClassifier(self_answer_rhetorical=self_answer_rhetorical)


def register() -> None:
    """Registers the component's factory and span attributes with spaCy (safe to call again)."""
    for attribute, default in _SPAN_ATTRIBUTES.items():
        if not Span.has_extension(attribute):
            Span.set_extension(attribute, default=default)
    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, default_config={"self_answer_rhetorical": True}, func=make_question_classifier)


def countable_type(span: Span) -> QuestionType | None:
    """The span's question type if it counts as a question (not a backchannel or rhetorical)."""
    if span._.is_backchannel or span._.is_rhetorical:
        return None
    qtype: QuestionType | None = span._.question_type
    return qtype


def classify_doc(doc: Doc) -> QuestionType | None:
    """One label for a whole utterance: the type of its last countable question sentence."""
    label: QuestionType | None = None
    for sent in doc.sents:
        qtype = countable_type(sent)
        if qtype is not None:
            label = qtype
    return label


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
