"""The hand-written question rules the trained model replaced, kept as the evaluation's baseline.

They were the product's question classifier up to commit 031b6f2 (`nlp/questions/rules.py` and
the word lists beside it, about 1,240 lines): an ordered chain of early returns over the spaCy
parse. `bench/questions_eval.py` runs them beside the model in the same run. The product does not
import this package.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from bench.question_rules.rules import read_question
from nlp.types import QuestionReading

_CONFIRMATION = re.compile(r"^(?:\W*(?:and|so|but|oh|okay)\W+)?(?:is|was) (?:that|this) (?:right|correct|true|accurate|fair)\W*$")
_TAG_ALONE = re.compile(r"^(?:right|correct|yeah|no|okay|isn't it|aren't you|don't you|didn't you|wouldn't you)\?$")
_SELF_ANSWER_OPENERS = ("because", "cause", "'cause", "the answer is", "the reason is", "simple", "well,",
                        "it's because", "that's because", "answer:", "the short answer")


def read_doc(doc: Doc) -> list[QuestionReading]:
    """The rules' reading of each sentence of a turn, as the old `question_classifier` gave it."""
    sents = list(doc.sents)
    out: list[QuestionReading] = []
    for i, sent in enumerate(sents):
        reading = read_question(sent)
        if reading.is_backchannel and i > 0 and _CONFIRMATION.match(sent.text.lower()):
            reading = QuestionReading("yes_no")
        elif reading.is_backchannel and i > 0 and _TAG_ALONE.match(sent.text.lower()):
            reading = QuestionReading("tag")
        if (
            reading.type in ("open", "yes_no")
            and i + 1 < len(sents)
            and sents[i + 1].text.lower().lstrip().startswith(_SELF_ANSWER_OPENERS)
            and not any(t.lower_ in {"you", "your", "you're", "y'all"} for t in sent)
        ):
            reading = QuestionReading(reading.type, reading.is_backchannel, True)
        out.append(reading)
    return out


__all__ = ["read_doc"]
