"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-1.692, (1.631, 0.246, 1.274, 0.52, 1.202, -1.264, 0.419, -0.231, -0.597, 0.099, -0.547, -0.068, -0.987, -0.29, 0.269, 0.472, 0.885)),
    'need': (-2.668, (2.683, -0.069, 0.074, 2.887, 1.566, -0.581, -0.241, -1.183, -1.417, 0.866, -1.183, 0.233, -1.0, 0.228, -0.171, 0.805, 0.0)),
    'objection': (-2.742, (3.796, 0.802, 1.972, 0.036, -0.697, 1.513, 0.12, 0.272, -0.457, 0.987, -3.058, 0.088, -0.265, -0.312, 0.299, 0.0, 0.902)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-2.274, (1.129, 0.135, 0.685, 1.751, 1.462, 0.636, 0.404, -0.668, 0.165, 0.192, -0.414, 0.052, -0.226, 0.574, -0.096, 0.36, 1.274)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.55, 'need': 0.5, 'objection': 0.4, 'budget': 0.6, 'decision': 0.25, 'price': 0.75}
