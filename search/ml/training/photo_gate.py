"""The gate a fine-tuned photo encoder passes before it serves: on listings held out of its
training, it must find photos of the same kind and colour better than the active photo encoder,
and name kinds and colours at least as well.

Relevance and classes are the catalogue's own (what each listing's words say it is, as
search.ml.vocabulary reads them), never coarsened: a listing's photo as the query, the other
listings of its kind and colour as the relevant ones.
"""

from dataclasses import dataclass

import numpy as np

from search.ml.attribute_classifier import ATTRIBUTES
from search.ml.training.classifier import UNLABELLED

# Accuracy the tuned encoder may lose and still pass: about the spread of the attribute
# classifier's held-out accuracy over its training seeds on the same features (0.009 for kinds,
# 0.014 for colours over four seeds, 10,000 listings), so that noise alone does not fail it; and
# never less than one held-out listing's share, which is all a small catalogue can tell apart.
ACCURACY_TOLERANCE = 0.01
_QUERY_CHUNK = 512
_NOUN, _COLOUR = ATTRIBUTES.index("noun"), ATTRIBUTES.index("colour")


@dataclass(frozen=True)
class PhotoMeasures:
    retrieval_ndcg_at_10: float  # a held-out listing's photo against all others
    noun_accuracy: float  # the attribute classifier's, on held-out listings
    colour_accuracy: float
    # The held-out listings each accuracy counts (0: not known)
    noun_listings: int = 0
    colour_listings: int = 0

    def as_dict(self) -> dict[str, float]:
        return {
            "photo_to_listing_ndcg_at_10": self.retrieval_ndcg_at_10,
            "noun_accuracy": self.noun_accuracy,
            "colour_accuracy": self.colour_accuracy,
            "noun_listings": self.noun_listings,
            "colour_listings": self.colour_listings,
        }


def photo_decision(active: PhotoMeasures, tuned: PhotoMeasures) -> tuple[bool, str]:
    """Whether the tuned encoder replaces the active one, and why (or why not)."""
    if tuned.retrieval_ndcg_at_10 <= active.retrieval_ndcg_at_10:
        return False, (
            f"photo-to-listing nDCG@10 {tuned.retrieval_ndcg_at_10:.3f} does not beat the "
            f"active encoder's {active.retrieval_ndcg_at_10:.3f}"
        )
    for name, before, after, listings in (
        ("kind", active.noun_accuracy, tuned.noun_accuracy, tuned.noun_listings),
        ("colour", active.colour_accuracy, tuned.colour_accuracy, tuned.colour_listings),
    ):
        if after < before - max(ACCURACY_TOLERANCE, 1 / listings if listings else 0.0):
            return False, f"{name} accuracy {after:.3f} is below the active encoder's {before:.3f}"
    return True, (
        f"photo-to-listing nDCG@10 {active.retrieval_ndcg_at_10:.3f} -> "
        f"{tuned.retrieval_ndcg_at_10:.3f}; kind accuracy {active.noun_accuracy:.3f} -> "
        f"{tuned.noun_accuracy:.3f}; colour accuracy {active.colour_accuracy:.3f} -> "
        f"{tuned.colour_accuracy:.3f}"
    )


def photo_retrieval_ndcg(
    features: np.ndarray, has_photo: np.ndarray, labels: np.ndarray, queries: np.ndarray
) -> float:
    """Mean nDCG@10 of the `queries` rows' photos against every other row's photo; relevant:
    the rows labelled with the query's kind and colour (`labels`: (n, attributes), as
    classifier.attribute_labels gives them). Queries without both labels are skipped."""
    kind_and_colour = labels[:, _NOUN] * 10_000 + labels[:, _COLOUR]
    labelled = (labels[:, _NOUN] != UNLABELLED) & (labels[:, _COLOUR] != UNLABELLED) & has_photo
    queries = queries[labelled[queries]]
    if not len(queries):
        return 0.0
    candidates = np.flatnonzero(has_photo)
    vectors = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-9)
    groups, counts = np.unique(
        kind_and_colour[candidates[labelled[candidates]]], return_counts=True
    )
    relevant_count = dict(zip(groups.tolist(), counts.tolist(), strict=True))
    depth = min(10, len(candidates) - 1)
    if depth < 1:
        return 0.0
    discounts = 1 / np.log2(np.arange(2, depth + 2))
    scores = []
    for start in range(0, len(queries), _QUERY_CHUNK):
        chunk = queries[start : start + _QUERY_CHUNK]
        similarity = vectors[chunk] @ vectors[candidates].T
        similarity[candidates[None, :] == chunk[:, None]] = -np.inf  # not itself
        top = np.argpartition(-similarity, depth - 1, axis=1)[:, :depth]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(similarity, top, 1)), 1)
        found = labelled[candidates[top]] & (
            kind_and_colour[candidates[top]] == kind_and_colour[chunk][:, None]
        )
        for query, hits in zip(chunk, found, strict=True):
            others = relevant_count[int(kind_and_colour[query])] - 1
            if others:  # a listing alone of its kind and colour has nothing to find
                scores.append(float((hits * discounts).sum() / discounts[:others].sum()))
    return round(float(np.mean(scores)), 4) if scores else 0.0
