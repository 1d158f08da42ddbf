"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-2.743, (2.452, 0.571, 1.25, 0.066, 1.196, -0.886, 0.764, -1.223, -1.17, 0.546, -0.191, 0.306, -1.17, -0.11, 0.272, 1.053)),
    'need': (-2.833, (3.249, -0.629, 0.742, 4.299, 2.788, -0.239, -0.291, -2.007, -1.532, 0.312, -1.725, 0.225, -1.172, 0.617, -1.025, 2.254)),
    'objection': (-3.861, (3.581, 3.029, 3.63, 1.397, -1.058, 1.277, 0.003, -0.075, -1.312, 0.572, -5.25, 0.402, -0.326, -0.29, 0.578, 0.0)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-4.626, (2.708, 0.907, 1.291, 2.347, 1.863, 1.052, 0.679, -1.301, 0.255, 1.147, -1.172, 0.267, -0.802, 1.067, -0.759, 3.29)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.6, 'need': 0.5, 'objection': 0.5, 'budget': 0.6, 'decision': 0.35, 'price': 0.75}
