"""Learning what each narrower kind looks like (search.ml.narrower_photos): the centre of the
mapped photos of the listings whose words name it, and the temperature that makes a photo's
likeness to the centres the likeliest reading of held-out listings' own words."""

from collections import defaultdict

import numpy as np

from search.ml.narrower_photos import NarrowerPhotos, softmax
from search.ml.training.catalogue import CatalogueSnapshot

# A narrower kind is learned from at least this many listings that name it, as the vocabulary
# learns one (search.ml.narrower_kinds).
MIN_LISTINGS = 3
# Candidates for the temperature, from sharp to flat (cosines of unit vectors lie in [-1, 1]).
TEMPERATURES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
# Fewer held-out listings than this tell too little to fit it (a handful all read right would
# make it the sharpest): the middle candidate serves.
MIN_HELD_OUT = 30


def fit_narrower_photos(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    learning: np.ndarray,
    held_out: np.ndarray,
) -> tuple[NarrowerPhotos | None, dict]:
    """The centres of the `learning` listings' mapped photos (`photo_vectors`) per narrower
    kind that their words name (one of its kind's, no other), the temperature fitted on the
    `held_out` ones, and measures of it; None where no kind has two narrower kinds to tell
    apart."""
    named = _named_narrower_kinds(snapshot)
    narrower_kinds = snapshot.vocabulary.narrower_kinds
    unit = photo_vectors / np.maximum(np.linalg.norm(photo_vectors, axis=1, keepdims=True), 1e-9)
    in_learning = np.zeros(len(snapshot), dtype=bool)
    in_learning[learning] = True
    centres: dict[str, dict[str, np.ndarray]] = {}
    for kind, words in named.items():
        for word, rows in words.items():
            rows = [row for row in rows if in_learning[row]]
            # Only a word that names a kind apart from others is read by its look.
            if len(rows) >= MIN_LISTINGS and narrower_kinds[kind][word]:
                centre = unit[rows].mean(axis=0)
                centres.setdefault(kind, {})[word] = centre / np.linalg.norm(centre)
    # Each held-out listing that names a learned narrower kind: its photo's likeness to that
    # kind's centre and its rivals', as search reads it (NarrowerPhotos.chance).
    in_held_out = np.zeros(len(snapshot), dtype=bool)
    in_held_out[held_out] = True
    samples = []
    for kind, words in centres.items():
        for word, centre in words.items():
            rivals = sorted(narrower_kinds[kind][word] & words.keys())
            if not rivals:
                continue
            matrix = np.stack([centre, *(words[rival] for rival in rivals)])
            rows = [row for row in named[kind][word] if in_held_out[row]]
            samples.extend(unit[rows] @ matrix.T)
    centres = {kind: words for kind, words in centres.items() if len(words) >= 2}
    if not centres:
        return None, {}
    if len(samples) < MIN_HELD_OUT:
        return NarrowerPhotos(centres, TEMPERATURES[len(TEMPERATURES) // 2]), {
            "held_out_listings": len(samples)
        }

    def log_likelihood(temperature: float) -> float:
        return float(
            np.mean(
                [np.log(softmax(likeness[None] / temperature)[0, 0] + 1e-9) for likeness in samples]
            )
        )

    temperature = max(TEMPERATURES, key=log_likelihood)
    measures = {
        "kinds": len(centres),
        "narrower_kinds": sum(len(words) for words in centres.values()),
        "held_out_listings": len(samples),
        "accuracy": round(float(np.mean([likeness.argmax() == 0 for likeness in samples])), 3),
        "temperature": temperature,
    }
    return NarrowerPhotos(centres, temperature), measures


def _named_narrower_kinds(snapshot: CatalogueSnapshot) -> dict[str, dict[str, list[int]]]:
    """kind -> narrower kind -> the rows with words and a photo that name it, and no other."""
    narrower_kinds = snapshot.vocabulary.narrower_kinds
    named: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in np.flatnonzero(snapshot.has_text & snapshot.has_photo):
        kind = snapshot.attributes(row).head
        words = narrower_kinds.get(kind, {}).keys() & snapshot.terms[row].terms
        if len(words) == 1:
            named[kind][next(iter(words))].append(int(row))
    return named
