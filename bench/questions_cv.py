"""Cross-validated errors of the question model on the sales *train* rows (for finding what to fix
without reading the held-out rows or the test sets).

Five folds by group (`bench/questions_data`: a group's punctuated and ASR-style variants stay in one
fold); each fold's rows are typed by a model trained as `bench.questions_train` trains the shipped one
(MRDA train and the other folds' rows, C 0.1, none threshold 0.5) and read as `bench.questions_eval`
reads the held-out part: each row in its small conversation, the context rules applied, scored as
the countable type (or none). Prints the accuracy per part and the most common confusions, and with
`--errors FILE` writes every miss there.

    .venv/bin/python -m bench.questions_cv --cache .cache/questions [--errors /tmp/cv_errors.tsv]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path
from unittest import mock

import scipy.sparse as sp
from sklearn.model_selection import GroupKFold

from bench.questions_eval import is_asr_style, sales_predictions
from bench.questions_sales import load_sales_sentences
from bench.questions_train import SEED, as_model, featurize, fit, mrda_examples, sales_examples
from nlp.types import QUESTION_TYPES, QuestionType

FOLDS = 5
C = 0.1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="the parses' cache, as for bench.questions_train")
    ap.add_argument("--sales-weight", type=float, default=8.0)
    ap.add_argument("--errors", type=Path, default=None, help="write every miss here (tab-separated)")
    args = ap.parse_args()
    mrda = mrda_examples("train", random.Random(SEED), 4.0)
    sales = sales_examples("train", args.sales_weight)
    rows = load_sales_sentences("train")
    x_mrda, y_mrda = featurize(mrda, args.cache)
    x_sales, y_sales = featurize(sales, args.cache)
    pred: list[QuestionType | None] = [None] * len(rows)
    for train, test in GroupKFold(FOLDS).split(x_sales, y_sales, [r.group for r in rows]):
        x = sp.vstack([x_mrda, x_sales[train]], format="csr")
        weights = [e.weight for e in mrda] + [sales[i].weight for i in train]
        model = as_model(fit(x, list(y_mrda) + [y_sales[i] for i in train], weights, C), {"none_threshold": 0.5})
        with mock.patch("nlp.questions.component.english_model", new=lambda m=model: m):
            for i, p in zip(test, sales_predictions([rows[i] for i in test]), strict=True):
                pred[i] = p
    gold = [r.label if r.label in QUESTION_TYPES else None for r in rows]
    for asr in (False, True):
        idx = [i for i, r in enumerate(rows) if is_asr_style(r.text) == asr]
        right = sum(pred[i] == gold[i] for i in idx)
        print(f"{'ASR-style' if asr else 'punctuated':11} accuracy {right / len(idx):.3f} ({right} of {len(idx)})")
    misses = [i for i in range(len(rows)) if pred[i] != gold[i]]
    print("most common (gold, predicted):", Counter((gold[i], pred[i]) for i in misses).most_common(12))
    if args.errors is not None:
        with args.errors.open("w", encoding="utf-8") as f:
            for i in misses:
                r = rows[i]
                f.write(f"{r.id}\t{r.label}\t{pred[i]}\t{r.before_speaker}: {r.before}\t{r.text}\t"
                        f"{r.after_speaker}: {r.after}\n")


if __name__ == "__main__":
    main()
