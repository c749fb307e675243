"""What training's ranked lists read from their candidates' photos beside their words, as
search reads it (search.candidate_features): for products playing sparse, what their titles
would say; for listings whose words leave it unsaid, their colour and which narrower kind they
are. Their gains are then the gains expected with what the photos show."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search.ml.attributes import Attributes
from search.ml.narrower_photos import NarrowerPhotos
from search.ml.product_terms import suits_audience
from search.ml.title_match import COLOURS_NAMED
from search.ml.training.catalogue import CatalogueSnapshot
from search.ml.vocabulary import BROADER_CATEGORY_NAMED


@dataclass
class PhotoReaders:
    # title_match of products playing sparse (attribute_classifier.predicted_title_match)
    title_match: Callable[[Attributes, np.ndarray], np.ndarray] | None = None
    # the chance that rows' photos show a query's colours (attribute_classifier.colour_chance)
    colour_chance: Callable[[Attributes, np.ndarray], np.ndarray | None] | None = None
    narrower_photos: NarrowerPhotos | None = None
    photo_vectors: np.ndarray | None = None  # every row's photo in the text space

    def read(
        self,
        snapshot: CatalogueSnapshot,
        wanted: Attributes,
        candidates: np.ndarray,
        hidden: np.ndarray,
        title_match: np.ndarray,
        gains: np.ndarray,
    ) -> None:
        """For one list (its `candidates` rows, -1 padding; `hidden`: those playing sparse),
        fill in the title match (`title_match`, (n, TITLE_MATCHES), whose words' values are
        in) from the photos, and turn `gains` into those expected with what they show."""
        if self.title_match is not None and hidden.any():
            title_match[hidden] = self.title_match(wanted, candidates[hidden])
        described = (candidates >= 0) & ~hidden
        if self.colour_chance is not None and wanted.colours:
            self._colours(snapshot, wanted, candidates, described, title_match, gains)
        if self.narrower_photos is not None and wanted.modifiers:
            self._narrower_kinds(snapshot, wanted, candidates, described, title_match, gains)

    def _colours(self, snapshot, wanted, candidates, described, title_match, gains) -> None:
        """Listings whose words state no colour: their title match's colour is the chance that
        their photo shows the query's, and a gain that their words left at the kind alone is
        the gain expected with it (up to the kind's in the colour asked for)."""
        rows = np.maximum(candidates, 0)
        slots = np.flatnonzero(described & snapshot.has_photo[rows] & ~snapshot.states_colour[rows])
        if not len(slots):
            return
        chance = self.colour_chance(wanted, candidates[slots])
        if chance is None:
            return
        title_match[slots, COLOURS_NAMED] = chance
        for slot, shown in zip(slots, chance, strict=True):
            terms = snapshot.terms[candidates[slot]]
            kind_alone = (
                0 < gains[slot] <= 1
                and not wanted.colours <= terms.terms
                and suits_audience(wanted.gender, terms.genders)
            )
            if kind_alone:
                gains[slot] *= 1 + shown

    def _narrower_kinds(self, snapshot, wanted, candidates, described, title_match, gains) -> None:
        """Listings whose words name the query's kind but not which narrower kind
        (NarrowerPhotos.read_vague): a gain that their words left at a broader kind's is the
        gain expected with the chance that their photo shows the narrower kind asked for (the
        kind asked for) against another (a kind apart: search.ml.training.labels)."""
        photos = np.where(described[:, None], self.photo_vectors[np.maximum(candidates, 0)], 0)
        read = self.narrower_photos.read_vague(
            title_match, described, photos, wanted, snapshot.vocabulary.narrower_kinds
        )
        if read is None:
            return
        for slot, shown in zip(*read, strict=True):
            if 0 < gains[slot] <= 1:  # not a shopper's choice, which counts fully
                expected = shown + (1 - shown) * BROADER_CATEGORY_NAMED**2
                gains[slot] *= expected / BROADER_CATEGORY_NAMED
