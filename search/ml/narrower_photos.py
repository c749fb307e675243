"""Which narrower kind a listing's photo shows where its words name the kind alone: "Puma Men
Brown Shoes" may be casual, sports or formal shoes (search.ml.narrower_kinds).

A photo mapped into the text space lies near the photos of listings that name its narrower
kind. Training keeps, for each narrower kind, the centre of those listings' mapped photos, and
the temperature at which their likeness to the centres best tells held-out listings' narrower
kinds (search.ml.training.narrower_photos). For a query that asks for a narrower kind, a
listing whose words name the kind but none of its narrower kinds reads, as its title match's
"words that narrow the kind", the value expected from its photo: the chance that it shows the
kind asked for (1) against another (-1), as search.ml.title_match counts words.
"""

from dataclasses import dataclass

import numpy as np

from search.ml.attributes import Attributes
from search.ml.narrower_kinds import NarrowerKinds
from search.ml.title_match import KIND_NAMED, NARROWING_NAMED


@dataclass
class NarrowerPhotos:
    # kind -> word that narrows it -> the centre of the mapped photos of listings named so
    # (unit length, in the text space)
    centres: dict[str, dict[str, np.ndarray]]
    temperature: float

    def chance(
        self, query: Attributes, narrower_kinds: NarrowerKinds, photos: np.ndarray
    ) -> np.ndarray | None:
        """(n,): the chance that each photo (mapped into the text space) shows the narrower
        kind the query asks for, among those that the catalogue tells apart from it; None
        where the query asks for none that training learned the look of beside another."""
        for kind in sorted(query.kind_words):
            centres = self.centres.get(kind, {})
            others = narrower_kinds.get(kind, {})
            for asked in sorted(query.modifiers):
                rivals = sorted(others.get(asked, frozenset()) & centres.keys())
                if asked in centres and rivals:
                    matrix = np.stack([centres[word] for word in (asked, *rivals)])
                    return softmax(photos @ matrix.T / self.temperature)[:, 0]
        return None

    def read_vague(
        self,
        matches: np.ndarray,
        described: np.ndarray,
        photos: np.ndarray,
        query: Attributes,
        narrower_kinds: NarrowerKinds,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Fill in `matches` (n, TITLE_MATCHES) the narrowing value of the listings that have
        words (`described`) and a photo, whose words name the query's kind but neither its
        narrower kind nor another; returns those rows and their chances (None: none read)."""
        if not query.modifiers:
            return None
        vague = np.flatnonzero(
            described
            & photos.any(axis=1)
            & (matches[:, KIND_NAMED] > 0)
            & (matches[:, NARROWING_NAMED] == 0)
        )
        if not len(vague):
            return None
        chance = self.chance(query, narrower_kinds, photos[vague])
        if chance is None:
            return None
        matches[vague, NARROWING_NAMED] = 2 * chance - 1
        return vague, chance

    def as_saved(self) -> dict:
        return {
            "centres": {
                kind: {word: centre.tolist() for word, centre in words.items()}
                for kind, words in self.centres.items()
            },
            "temperature": self.temperature,
        }

    @classmethod
    def from_saved(cls, saved: dict) -> "NarrowerPhotos":
        return cls(
            centres={
                kind: {word: np.asarray(centre, dtype=np.float32) for word, centre in words.items()}
                for kind, words in saved["centres"].items()
            },
            temperature=float(saved["temperature"]),
        )


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
