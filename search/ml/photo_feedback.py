"""Which listings without words a query's results show: chosen by what its best results look
like (pseudo-relevance feedback, Rocchio's method with the first results taken as relevant).

Words reach a listing that only its photo describes through that photo mapped into the text
space, and typed words and mapped photos lie apart in that space (the gap between modalities):
among such listings the match head's order is its weakest. The query's best results that have
words show what the shopper wants better than the words do, and their photos, mapped the same
way, compare with the wordless listings' photos like with like. Retrieval looks for such listings
too (search.retrieval's like_results source).

The head decides how many wordless listings the results show and where, with one floor: past
the first results, wordless listings hold at least their share of the catalogue's listings in
every stretch of the ranking (an exposure guarantee). The head is surer of listings that words
describe and ranks a wordless one below any such match, so that a query with many matches of
both kinds showed few of its wordless ones; their share is what a ranking that favoured
neither kind would show of them.
The feedback decides which wordless listings take those places.
"""

import numpy as np

# The results that lend their photos: the first page's worth, the depth that pseudo-relevance
# feedback commonly takes as relevant.
FEEDBACK_RESULTS = 10


# A chance read from a photo is never quite 0: its logarithm stays finite.
_LEAST_CHANCE = 1e-3


def refill_wordless_places(
    order: np.ndarray,
    scores: np.ndarray,
    photos: np.ndarray,
    wordless: np.ndarray,
    stated_chance: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`order` (candidate positions, best first) and `scores` (by position) with the places of
    wordless candidates filled again: best first by the head's score, by their photos' likeness
    to the best described results' photos, and, for words that state colours or an audience,
    by the chance that the attribute classifier reads them in their photos (`stated_chance`,
    by position), weighed equally once each is standardised among the wordless candidates (the
    chance as its logarithm, the evidence it adds). The head weighs that chance far less than
    it tells: among wordless listings of the kind asked for, it ranks those of the colour asked
    for first less often than the classifier's chance alone does. A place keeps its score,
    whoever takes it, so that scores still fall along the order."""
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
    if stated_chance is not None:
        preference += _standardised(np.log(stated_chance[candidates] + _LEAST_CHANCE))
    chosen = candidates[np.argsort(-preference, kind="stable")]
    refilled = order.copy()
    refilled[places] = chosen
    return refilled, _scores_by_place(order, refilled, scores)


def with_wordless_share(
    order: np.ndarray, scores: np.ndarray, wordless: np.ndarray, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """`order` and `scores` with wordless candidates moved up where fewer than `share` of the
    places past the first FEEDBACK_RESULTS are theirs: each first k places then hold at least
    floor((k - FEEDBACK_RESULTS) * share) of them, while there are any left, each in its turn.
    The first results stay as the head ranks them (the feedback's seeds). A place keeps its
    score, whoever takes it."""
    is_wordless = wordless[order]
    if share <= 0 or not is_wordless.any():
        return order, scores
    # The places each kind holds in `order`, and how many of each are placed again so far.
    places = {True: np.flatnonzero(is_wordless), False: np.flatnonzero(~is_wordless)}
    taken = {True: 0, False: 0}
    merged = []
    for place in range(len(order)):
        owed = int((place + 1 - FEEDBACK_RESULTS) * share) > taken[True]
        left = {kind: taken[kind] < len(places[kind]) for kind in places}
        wordless_next = not left[False] or (
            left[True] and (owed or places[True][taken[True]] < places[False][taken[False]])
        )
        merged.append(places[wordless_next][taken[wordless_next]])
        taken[wordless_next] += 1
    moved = order[np.array(merged)]
    return moved, _scores_by_place(order, moved, scores)


def _scores_by_place(order: np.ndarray, moved: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The scores of `order`'s places given to whoever takes each place in `moved`."""
    rescored = scores.copy()
    rescored[moved] = scores[order]
    return rescored


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)
