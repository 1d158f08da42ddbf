"""Fit the content role scorer's weights (`nlp.speaker_roles.WEIGHTS`) and choose its threshold.

Data: generated sales calls (`bench/sales_calls.py`): training seeds for the weights, validation
seeds for the regularisation strength and the threshold. The evaluation seeds and the bundled
sample are not read here. The model is a logistic regression without intercept on the difference
of the two speakers' features (rep minus customer, label 1, and the reverse, label 0), which is the
two-speaker case of the softmax the scorer uses.

Run: .venv/bin/python -m bench.roles_train   (prints the weights and a threshold table to paste)
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from bench.sales_calls import TRAIN_SEEDS, VALIDATION_SEEDS, SalesCall, generate_sales_calls
from nlp.language import analyze_language
from nlp.speaker_roles import FEATURES, score_speakers, speaker_features


def call_features(call: SalesCall) -> dict[str, dict[str, float]]:
    findings = analyze_language(call.transcript, semantic=False)
    return speaker_features(call.transcript, findings.questions, findings.next_steps)


def pairs(calls: list[SalesCall]) -> tuple[np.ndarray, np.ndarray, list[dict[str, dict[str, float]]]]:
    xs, ys, feats = [], [], []
    for call in calls:
        f = call_features(call)
        feats.append(f)
        if len(f) < 2:
            continue
        diff = np.array([f[call.rep_id][k] - f[call.customer_id][k] for k in FEATURES])
        xs += [diff, -diff]
        ys += [1, 0]
    return np.array(xs), np.array(ys), feats


def main() -> None:
    train = generate_sales_calls(TRAIN_SEEDS)
    val = generate_sales_calls(VALIDATION_SEEDS)
    x_tr, y_tr, _ = pairs(train)
    x_va, y_va, val_feats = pairs(val)
    best: tuple[float, float, LogisticRegression] | None = None
    print("| C | validation log-loss |\n|---|---|")
    for c in (0.1, 0.3, 1.0, 3.0, 10.0):
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=1000).fit(x_tr, y_tr)
        loss = log_loss(y_va, model.predict_proba(x_va)[:, 1])
        print(f"| {c} | {loss:.4f} |")
        if best is None or loss < best[0]:
            best = (loss, c, model)
    assert best is not None
    weights = {k: round(float(w), 2) for k, w in zip(FEATURES, best[2].coef_[0], strict=True)}
    print(f"\nC = {best[1]}\nWEIGHTS = {weights}\n")
    print("| threshold | coverage | accuracy of assigned |\n|---|---|---|")
    for threshold in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        assigned = right = 0
        for call, f in zip(val, val_feats, strict=True):
            if len(f) < 2:
                continue
            top = score_speakers(f, weights)[0]
            if top.p_rep >= threshold:
                assigned += 1
                right += top.speaker == call.rep_id
        print(f"| {threshold} | {assigned / len(val):.3f} | {right / max(assigned, 1):.3f} |")


if __name__ == "__main__":
    main()
