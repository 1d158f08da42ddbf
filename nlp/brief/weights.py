"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-3.477, (4.154, 1.53, 5.99, -0.716, 2.25, -1.388, 1.392, -1.885, -2.005, 0.729, 0.986, -0.072, -0.84, -0.25, 0.716)),
    'need': (-3.809, (4.491, 1.145, 1.634, 4.655, 2.705, -0.344, -0.273, -1.849, -1.468, 0.457, -0.585, -0.005, -1.014, 0.338, -0.743)),
    'objection': (-4.934, (5.828, 0.022, 0.057, 2.055, -0.077, 1.384, 1.296, 0.249, -0.317, 0.0, -1.812, 0.15, -0.692, 0.057, -0.648)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-5.688, (4.221, 0.626, 0.833, 1.596, 1.89, 0.67, 0.446, -1.211, 1.169, 0.387, -1.329, 0.894, -0.719, 1.389, -1.251)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.6, 'need': 0.55, 'objection': 0.55, 'budget': 0.6, 'decision': 0.4, 'price': 0.75}
