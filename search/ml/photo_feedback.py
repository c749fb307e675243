"""Which listings without words a query's results show: chosen by what its best results look
like (pseudo-relevance feedback, Rocchio's method with the first results taken as relevant).

Words reach a listing that only its photo describes through that photo mapped into the text
space, and typed words and mapped photos lie apart in that space (the gap between modalities):
among such listings the match head's order is its weakest. The query's best results that have
words show what the shopper wants better than the words do, and their photos, mapped the same
way, compare with the wordless listings' photos like with like. Retrieval looks for such listings
too (search.retrieval's like_results source).

The head still decides how many wordless listings the results show and where; the feedback only
decides which of them take those places, so results with words keep their ranks.
"""

import numpy as np

# The results that lend their photos: the first page's worth, the depth that pseudo-relevance
# feedback commonly takes as relevant.
FEEDBACK_RESULTS = 10


def refill_wordless_places(
    order: np.ndarray, scores: np.ndarray, photos: np.ndarray, wordless: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`order` (candidate positions, best first) and `scores` (by position) with the places of
    wordless candidates filled again: best first by the head's score and by their photos'
    likeness to the best described results' photos, weighed equally once each is standardised
    among the wordless candidates. A place keeps its score, whoever takes it, so that scores
    still fall along the order."""
    places = np.flatnonzero(wordless[order])
    has_photo = photos.any(axis=1)
    described = order[~wordless[order] & has_photo[order]][:FEEDBACK_RESULTS]
    if len(places) < 2 or not len(described):
        return order, scores
    photos = photos / np.maximum(np.linalg.norm(photos, axis=1, keepdims=True), 1e-12)
    centroid = photos[described].mean(axis=0)
    candidates = order[places]
    likeness = photos[candidates] @ centroid  # the centroid's length is the same for all
    preference = _standardised(scores[candidates]) + _standardised(likeness)
    chosen = candidates[np.argsort(-preference, kind="stable")]
    refilled, rescored = order.copy(), scores.copy()
    refilled[places] = chosen
    rescored[chosen] = scores[candidates]
    return refilled, rescored


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)
