"""Which wordless listings a text query shows: those whose photos look like its best results',
in the colours it asks for, and at least their share of the catalogue's places."""

import numpy as np

from search.ml.photo_feedback import (
    FEEDBACK_RESULTS,
    refill_wordless_places,
    with_wordless_share,
)

# Directions in a small photo space: what the query's best results look like, and something else.
WANTED = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
OTHER = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)


def photo(direction: np.ndarray, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    vector = direction + noise * np.random.default_rng(seed).standard_normal(len(direction))
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def ranked(scores: list[float]) -> tuple[np.ndarray, np.ndarray]:
    scores = np.array(scores, dtype=np.float32)
    return np.argsort(-scores, kind="stable"), scores


def test_a_wordless_listing_like_the_best_results_takes_the_better_place():
    # Candidates 0-2 have words and look like WANTED. Of the wordless, the head scored 3 (like
    # something else) a little above 5 (like WANTED), and 4 (something else) far below.
    photos = np.stack(
        [photo(WANTED, 0.1, seed) for seed in range(3)]
        + [photo(OTHER), photo(OTHER, 0.1), photo(WANTED, 0.1, 3)]
    )
    wordless = np.array([False, False, False, True, True, True])
    order, scores = ranked([5.0, 4.0, 3.0, 2.0, 1.0, 1.9])

    refilled, rescored = refill_wordless_places(order, scores, photos, wordless)

    assert refilled.tolist() == [0, 1, 2, 5, 3, 4]
    # A place keeps its score: scores still fall along the order, and the words' ranks hold.
    assert rescored[refilled].tolist() == [5.0, 4.0, 3.0, 2.0, np.float32(1.9), 1.0]
    assert np.array_equal(rescored[:3], scores[:3])


def test_the_head_still_decides_how_many_wordless_listings_show_and_where():
    rng = np.random.default_rng(3)
    count = 60
    photos = np.stack([photo(rng.standard_normal(4), seed=i) for i in range(count)])
    wordless = rng.random(count) < 0.4
    order, scores = ranked(rng.standard_normal(count).tolist())

    refilled, rescored = refill_wordless_places(order, scores, photos, wordless)

    assert sorted(refilled.tolist()) == list(range(count))  # every candidate, once
    assert np.array_equal(wordless[refilled], wordless[order])  # the same places are wordless
    described = ~wordless[order]
    assert np.array_equal(refilled[described], order[described])
    assert np.all(np.diff(rescored[refilled]) <= 0)


def test_only_the_first_results_with_photos_lend_them():
    # The best described result has no photo, and the many past the first FEEDBACK_RESULTS
    # look like something else: the feedback reads the first FEEDBACK_RESULTS photos it finds.
    described = 4 * FEEDBACK_RESULTS
    photos = np.stack(
        [np.zeros(4, dtype=np.float32)]
        + [photo(WANTED, 0.1, i) for i in range(FEEDBACK_RESULTS)]
        + [photo(OTHER, 0.01, i) for i in range(described - FEEDBACK_RESULTS - 1)]
        + [photo(OTHER), photo(WANTED), photo(OTHER, 0.1)]
    )
    wordless = np.arange(len(photos)) >= described
    order, scores = ranked(list(range(len(photos), 0, -1)))

    refilled, _ = refill_wordless_places(order, scores, photos, wordless)

    assert refilled[described:].tolist() == [described + 1, described, described + 2]


def test_nothing_moves_without_two_wordless_listings_or_a_described_photo():
    photos = np.stack([photo(WANTED), photo(OTHER), photo(WANTED)])
    order, scores = ranked([3.0, 2.0, 1.0])
    one_wordless = np.array([False, True, False])
    refilled, rescored = refill_wordless_places(order, scores, photos, one_wordless)
    assert np.array_equal(refilled, order) and np.array_equal(rescored, scores)

    no_photo_with_words = photos.copy()
    no_photo_with_words[0] = 0
    all_but_first = np.array([False, True, True])
    refilled, _ = refill_wordless_places(order, scores, no_photo_with_words, all_but_first)
    assert np.array_equal(refilled, order)


def test_of_wordless_listings_alike_the_one_in_the_colour_asked_for_goes_first():
    # 3 and 4 look the same and the head scored them alike; the classifier reads the query's
    # colour (or audience) in 4's photo, not in 3's.
    photos = np.stack([photo(WANTED, 0.1, seed) for seed in range(3)] + [photo(WANTED)] * 2)
    wordless = np.array([False, False, False, True, True])
    order, scores = ranked([5.0, 4.0, 3.0, 2.0, 2.0])
    stated_chance = np.array([1.0, 1.0, 1.0, 0.05, 0.9])

    refilled, _ = refill_wordless_places(order, scores, photos, wordless)
    assert refilled.tolist() == [0, 1, 2, 3, 4]
    refilled, rescored = refill_wordless_places(order, scores, photos, wordless, stated_chance)
    assert refilled.tolist() == [0, 1, 2, 4, 3]
    assert np.all(np.diff(rescored[refilled]) <= 0)


def test_wordless_listings_hold_their_share_of_the_places_past_the_first_results():
    # The head put 40 described listings before 20 wordless ones.
    described, wordless_count, share = 40, 20, 0.2
    wordless = np.arange(described + wordless_count) >= described
    order, scores = ranked(list(range(described + wordless_count, 0, -1)))

    moved, rescored = with_wordless_share(order, scores, wordless, share)

    assert sorted(moved.tolist()) == sorted(order.tolist())
    assert moved[:FEEDBACK_RESULTS].tolist() == order[:FEEDBACK_RESULTS].tolist()
    for shown in range(FEEDBACK_RESULTS + 1, len(moved) + 1):
        assert wordless[moved[:shown]].sum() >= int((shown - FEEDBACK_RESULTS) * share)
    # Each kind keeps its own order, and the places keep their scores.
    for kind in (True, False):
        assert moved[wordless[moved] == kind].tolist() == order[wordless[order] == kind].tolist()
    assert rescored[moved].tolist() == scores[order].tolist()
    # No more than owed: the 15th place past the first results is the third wordless one's.
    assert wordless[moved[: FEEDBACK_RESULTS + 15]].sum() == 3


def test_nothing_moves_where_wordless_listings_hold_their_share_already():
    wordless = np.array([False, True] * 20)
    order, scores = ranked(list(range(40, 0, -1)))
    for share in (0.0, 0.2, 0.5):
        moved, rescored = with_wordless_share(order, scores, wordless, share)
        assert np.array_equal(moved, order) and np.array_equal(rescored, scores)
