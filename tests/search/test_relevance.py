"""The line between a query's matches and its neighbours, fitted on held-out ranked lists."""

import numpy as np

from search.ml.relevance import RelevanceCutoff, fit_cutoff
from search.ml.title_match import TITLE_MATCHES
from search.ml.training.ranked_lists import LIST_LENGTH, RankedLists, without_what_they_ask_for


def lists(rng: np.random.Generator, shifts: list[float], relevant: int, width: int = 40):
    """Lists whose first `relevant` candidates are of the kind asked for (half of them with
    every attribute asked for too) and score about 2 above the rest; each list's scores shifted
    as a head's may be from one query to another."""
    gains = np.zeros((len(shifts), width))
    gains[:, :relevant] = 1
    gains[:, : relevant // 2] = 2
    scores = rng.normal(0, 0.4, gains.shape) + 2.0 * (gains > 0) + np.array(shifts)[:, None]
    return scores, gains, np.ones_like(gains, dtype=bool)


def test_the_fitted_cutoff_keeps_the_relevant_and_leaves_the_rest():
    rng = np.random.default_rng(0)
    scores, gains, valid = lists(rng, shifts=rng.normal(0, 1.5, 300).tolist(), relevant=8)
    cutoff, measured = fit_cutoff(scores, gains, valid)
    assert measured["precision"] > 0.9 and measured["recall"] > 0.9
    assert measured["matched_share"] == np.round((cutoff_matches(cutoff, scores)).mean(), 4)
    # On lists it was not fitted on, whatever their shift, about the relevant are matched.
    fresh, fresh_gains, _ = lists(rng, shifts=[-3.0, 0.0, 4.0], relevant=8)
    for row, gain in zip(fresh, fresh_gains, strict=True):
        matched = cutoff.matches(row)
        assert (matched == (gain > 0)).mean() > 0.9


def cutoff_matches(cutoff: RelevanceCutoff, scores: np.ndarray) -> np.ndarray:
    return np.stack([cutoff.matches(row) for row in scores])


def test_matches_lead_a_list_ranked_by_score():
    rng = np.random.default_rng(1)
    cutoff, _ = fit_cutoff(*lists(rng, shifts=rng.normal(0, 1, 200).tolist(), relevant=5))
    scores = np.sort(rng.normal(1, 2, 60))[::-1]
    matched = cutoff.matches(scores)
    assert 0 < matched.sum() < len(scores)
    assert not matched[matched.sum() :].any()  # a prefix of the ranking
    assert not cutoff.matches(np.zeros(0)).size


def test_a_list_without_anything_relevant_can_have_no_match():
    rng = np.random.default_rng(2)
    scores, gains, valid = lists(rng, shifts=[0.0] * 200, relevant=6)
    # Half the lists ask for what the catalogue lacks: low scores, nothing relevant.
    gains[100:] = 0
    scores[100:] = rng.normal(-2, 0.4, scores[100:].shape)
    cutoff, _ = fit_cutoff(scores, gains, valid)
    assert not cutoff.matches(rng.normal(-2, 0.4, 40)).any()
    assert (
        cutoff.matches(np.concatenate([rng.normal(2, 0.2, 6), rng.normal(0, 0.4, 34)])).sum() >= 5
    )


def test_lists_without_what_they_ask_for_keep_only_the_neighbours():
    count, width = 2, LIST_LENGTH
    candidates = np.tile(np.arange(width), (count, 1))
    gains = np.zeros((count, width), dtype=np.float32)
    gains[:, :3] = [2, 1, 2]
    lists = RankedLists(
        query_text=np.ones((count, 4), dtype=np.float32),
        query_photo=np.zeros((count, 4), dtype=np.float32),
        candidates=candidates,
        gains=gains,
        keyword_rank=np.ones((count, width), dtype=np.float32),
        title_match=np.ones((count, width, TITLE_MATCHES), dtype=np.float32),
        attribute_agreement=np.ones((count, width, 3), dtype=np.float32),
        image_similarity=np.ones((count, width), dtype=np.float32),
        colour_similarity=np.ones((count, width), dtype=np.float32),
        text_hidden=np.zeros((count, width), dtype=bool),
    )
    lacking = without_what_they_ask_for(lists)
    assert (lacking.candidates[:, :3] == -1).all() and (lacking.candidates[:, 3:] >= 0).all()
    assert not lacking.gains.any()
    # Nothing of the products taken out is left to set a list's best similarity.
    assert not lacking.image_similarity[:, :3].any() and lacking.image_similarity[:, 3:].all()
    assert not lacking.keyword_rank[:, :3].any() and not lacking.title_match[:, :3].any()
    assert lists.gains[:, :3].all()  # the lists themselves are left as they were
