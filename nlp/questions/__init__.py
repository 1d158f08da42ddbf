"""Question typing: which sentences are questions, of which type, and which ones count.

- `component`: the `question_classifier` spaCy component (`register()` adds it to spaCy) and the
  countable questions of classified sentences;
- `rules`: the reading of one sentence (`read_question`), built from `syntax` (word lists and
  token tests), `prompts` ("walk me through ..."), `closed` ("or" alternatives, tag endings) and
  `non_questions` (backchannels, greetings, rhetorical forms);
- `context`: the rules across turns (a bare "Right?" after the other speaker, a live call's
  rolling context);
- `texts`: types of plain texts through the whole English pipeline (tests, benches).
"""

from nlp.questions.component import (
    QuestionClassifier,
    classify_doc,
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
    "classify_doc",
    "context_items",
    "countable_type",
    "questions_from_sentences",
    "register",
    "resolve_types",
]
