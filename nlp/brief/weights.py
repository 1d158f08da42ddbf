"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-2.654, (2.44, 0.424, 1.193, 0.006, 1.179, -0.96, 0.9, -1.156, -1.226, 0.534, -0.104, 0.272, -1.236, -0.029, 0.321, 0.962)),
    'need': (-2.833, (3.249, -0.629, 0.742, 4.299, 2.788, -0.239, -0.291, -2.007, -1.532, 0.312, -1.725, 0.225, -1.172, 0.617, -1.025, 2.254)),
    'objection': (-3.861, (3.581, 3.029, 3.63, 1.397, -1.058, 1.277, 0.003, -0.075, -1.312, 0.572, -5.25, 0.402, -0.326, -0.29, 0.578, 0.0)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-4.535, (2.431, 0.361, 1.034, 2.49, 1.975, 1.294, 1.196, -1.242, 0.216, 1.214, -0.865, 0.496, -1.034, 1.021, -0.609, 1.134)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.55, 'need': 0.5, 'objection': 0.5, 'budget': 0.6, 'decision': 0.35, 'price': 0.75}
