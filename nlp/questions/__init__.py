"""Question typing: which sentences are questions, of which type, and which ones count.

- `component`: the `question_classifier` spaCy component (`register()` adds it to spaCy) and the
  countable questions of classified sentences;
- `features`: what the model reads in a sentence (words where they sit, the parse, the turns
  around it); `model`: the trained weights (`models/en.npz`, trained by `bench/questions_train.py`;
  model card in docs/questions.md) and their scoring;
- `chinese`: the Chinese component (phrase rules; no labelled Chinese dialogue acts to train on yet);
- `context`: the rules across turns (a bare "Right?" after the other speaker, a live call's
  rolling context).
"""

from nlp.questions.component import (
    QuestionClassifier,
    context_items,
    countable_type,
    questions_from_sentences,
    register,
)
from nlp.questions.context import ContextItem, RollingContext, resolve_types

__all__ = [
    "ContextItem",
    "QuestionClassifier",
    "RollingContext",
    "context_items",
    "countable_type",
    "questions_from_sentences",
    "register",
    "resolve_types",
]
