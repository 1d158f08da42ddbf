"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-2.642, (2.429, 0.43, 1.203, 0.007, 1.165, -0.966, 0.906, -1.161, -1.227, 0.493, -0.108, 0.298, -1.255, -0.049, 0.321, 0.973)),
    'need': (-2.833, (3.249, -0.629, 0.742, 4.299, 2.788, -0.239, -0.291, -2.007, -1.532, 0.312, -1.725, 0.225, -1.172, 0.617, -1.025, 2.254)),
    'objection': (-3.861, (3.581, 3.029, 3.63, 1.397, -1.058, 1.277, 0.003, -0.075, -1.312, 0.572, -5.25, 0.402, -0.326, -0.29, 0.578, 0.0)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-4.733, (2.392, 0.331, 0.832, 2.433, 2.007, 1.252, 1.351, -1.325, 0.375, 1.327, -0.952, 0.523, -0.983, 1.059, -0.591, 1.468)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.55, 'need': 0.5, 'objection': 0.5, 'budget': 0.6, 'decision': 0.3, 'price': 0.75}
