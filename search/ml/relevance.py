"""Where a query's matches end and its neighbours begin.

Vector search always has neighbours, so how many results a query has, whether it has none,
and which products facets, price sorting and analytics count all need one line between a
product that matches and one that is merely near. A match is the kind of thing asked for
(a blue dress matches "red dress", ranked below the red ones): so facets can count the colours
of the matches, and a query with no match names a kind the shop does not have, which is what a
merchant reads zero-result queries for.

The line is drawn on the match head's score: a logistic model of the chance that a candidate is
of the kind asked for, from its score and its distance below the best candidate's score, fitted
on the pseudo-queries held out of the head's training and on the same queries with every
product of their kind taken out (queries for what the catalogue lacks). A candidate at even odds
or better is a match. The score alone is not enough: the head is trained to order each list, not
to score across queries, so how far a candidate falls below the list's best says much of it.
"""

from dataclasses import dataclass

import numpy as np

# Newton's method converges in a handful of steps on two features; the small ridge keeps it
# finite when the held-out lists separate matches perfectly.
_NEWTON_STEPS = 25
_RIDGE = 1e-3


@dataclass(frozen=True)
class RelevanceCutoff:
    score_weight: float
    below_best_weight: float  # on (score - the list's best score), which is <= 0
    bias: float

    def matches(self, scores: np.ndarray) -> np.ndarray:
        """(n,) bool: which of one list's candidates, scored `scores`, are matches."""
        if not len(scores):
            return np.zeros(0, dtype=bool)
        return self._logits(scores, scores - scores.max()) >= 0

    def _logits(self, scores: np.ndarray, below_best: np.ndarray) -> np.ndarray:
        return self.score_weight * scores + self.below_best_weight * below_best + self.bias

    def as_list(self) -> list[float]:
        return [self.score_weight, self.below_best_weight, self.bias]


def fit_cutoff(
    scores: np.ndarray, gains: np.ndarray, valid: np.ndarray
) -> tuple[RelevanceCutoff, dict[str, float]]:
    """The cut-off fitted on ranked lists: (L, C) head scores, gains (1: the kind asked for, 2:
    with every attribute asked for too) and which slots hold a candidate; with the precision
    and recall of its matches on them."""
    best = np.where(valid, scores, -np.inf).max(axis=1, keepdims=True)
    features = np.stack([scores[valid], (scores - best)[valid]], axis=1).astype(np.float64)
    relevant = (gains[valid] > 0).astype(np.float64)
    # Standardised for the fit, then folded back into the weights.
    centre, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    design = np.hstack([(features - centre) / spread, np.ones((len(features), 1))])
    weights = np.zeros(3)
    for _ in range(_NEWTON_STEPS):
        chance = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (chance - relevant) + _RIDGE * weights
        curvature = (design * (chance * (1 - chance))[:, None]).T @ design
        weights -= np.linalg.solve(curvature + _RIDGE * np.eye(3), gradient)
    scale = weights[:2] / spread
    cutoff = RelevanceCutoff(
        score_weight=float(scale[0]),
        below_best_weight=float(scale[1]),
        bias=float(weights[2] - centre @ scale),
    )
    matched = cutoff._logits(features[:, 0], features[:, 1]) >= 0
    found = (matched & (relevant == 1)).sum()
    return cutoff, {
        "precision": round(float(found / max(matched.sum(), 1)), 4),
        "recall": round(float(found / max(relevant.sum(), 1)), 4),
        "matched_share": round(float(matched.mean()), 4),
        "candidates": int(valid.sum()),
    }
