"""The item scorer's weights: per kind, a bias and one weight per feature of `nlp.brief.features.FEATURES`,
and the confidence an item needs. Fit by `bench/brief_fit.py` on the evaluation set's dev calls only
(logistic regression, leave-one-call-out to choose the threshold); paste its output here.
"""

from __future__ import annotations

# kind: (bias, weights in FEATURES order)
WEIGHTS: dict[str, tuple[float, tuple[float, ...]]] = {
    'pain': (-3.694, (2.842, 1.964, 4.223, 0.541, 1.716, -1.222, 1.214, -1.643, -1.246, 1.629, 0.492, 0.033, -1.295, 0.022, 0.612)),
    'need': (-3.312, (3.558, 0.788, 1.721, 4.09, 2.845, -0.564, -0.482, -1.555, -1.64, 1.161, -1.579, -0.2, -0.636, 0.483, -0.476)),
    'objection': (-4.044, (4.073, 2.947, 3.193, 2.075, -0.901, 1.335, 0.489, -0.453, -1.334, 0.215, -6.82, 0.813, -1.22, -0.348, -0.23)),
    'budget': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    'decision': (-6.189, (3.474, 2.161, 1.514, 2.295, 2.097, 1.068, 0.739, -1.005, 0.808, 1.399, -1.382, 0.684, -0.759, 1.434, -0.559)),
    'price': (0.0, (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
}
THRESHOLDS: dict[str, float] = {'pain': 0.6, 'need': 0.5, 'objection': 0.4, 'budget': 0.6, 'decision': 0.5, 'price': 0.75}
