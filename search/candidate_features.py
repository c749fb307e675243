"""What the match head reads of a query and its candidates (search.ml.ranking's batches):
their vectors and similarities, and what the words and the photos of the candidates without
words say of them."""

from dataclasses import dataclass

import numpy as np
import torch

from search.ml import trained
from search.ml.attribute_classifier import (
    AttributeClassifier,
    AttributeProfiles,
    agreement,
    colour_chance,
    predicted_title_match,
    stated_chance,
)
from search.ml.attributes import Attributes
from search.ml.narrower_photos import NarrowerPhotos
from search.ml.ranking import CandidateBatch, QueryBatch, photo_map_input
from search.ml.title_match import COLOURS_NAMED, TITLE_MATCHES
from search.ml.vocabulary import Vocabulary
from search.query_words import QueryWords
from search.retrieval import Candidates


@dataclass
class QueryVectors:
    text: np.ndarray | None = None  # the words, in the text space
    photo: np.ndarray | None = None  # the photo, mapped into the text space
    image: np.ndarray | None = None  # the photo in the image encoder's space, normalised
    colour: np.ndarray | None = None  # the photo's colours


@dataclass
class HeadInputs:
    """A query and its candidates as the head reads them (a batch of one), and what the
    classifier read of the query's stated attributes in the wordless candidates' photos."""

    queries: QueryBatch
    candidates: CandidateBatch
    # (n,): for words that state colours or an audience, the chance that each candidate's photo
    # shows them, where it was read (attribute_classifier.stated_chance; 0 for the others);
    # None where the words state neither, or the model has no classifier.
    stated_chance: np.ndarray | None = None


def head_inputs(
    candidates: Candidates,
    vectors: QueryVectors,
    words: QueryWords,
    vocabulary: Vocabulary | None,
    model: trained.SearchModel,
) -> HeadInputs:
    """The query and its candidates as the head reads them."""

    def one(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array, dtype=np.float32))[None]

    def query_row(vector: np.ndarray | None) -> torch.Tensor:
        # A copy: a remembered query vector is read-only, and torch wants its own memory.
        return one(np.zeros(candidates.text.shape[1]) if vector is None else vector.copy())

    def similarity(products: np.ndarray | None, query: np.ndarray | None) -> torch.Tensor:
        return one(np.zeros(len(candidates)) if query is None else products @ query)

    queries = QueryBatch(text=query_row(vectors.text), photo=query_row(vectors.photo))
    text = words.for_encoder
    # What the words ask of a product, read once.
    wanted = vocabulary.wanted(text, words.kinds) if text and vocabulary is not None else None
    classifier = model.attribute_classifier
    # What the photos of candidates without words say: read once, for both features below.
    read = (
        None
        if classifier is None
        else classifier.predict_rows(
            photo_map_input(candidates.image, candidates.colour),
            candidates.wordless | candidates.colourless,
        )
    )
    batch = CandidateBatch(
        text=one(candidates.text),
        photo=one(candidates.photo),
        image_similarity=one(candidates.image_similarity),
        colour_similarity=similarity(candidates.colour, vectors.colour),
        keyword_rank=one(candidates.keyword_rank),
        title_match=one(
            _title_match(candidates, wanted, vocabulary, model.narrower_photos, classifier, read)
        ),
        attribute_agreement=one(_attribute_agreement(candidates, vectors, classifier, read)),
    )
    stated = (
        None if wanted is None or read is None else stated_chance(classifier.classes, read, wanted)
    )
    return HeadInputs(queries, batch, stated)


def _title_match(
    candidates: Candidates,
    wanted: Attributes | None,
    vocabulary: Vocabulary | None,
    narrower_photos: NarrowerPhotos | None,
    classifier: AttributeClassifier | None,
    read: AttributeProfiles | None,
) -> np.ndarray:
    """Vocabulary.title_match of each candidate; for those without words, its prediction from
    what the classifier `read` from their photos (attribute_classifier.predicted_title_match);
    what words leave unsaid, a colour or which narrower kind, as their photos show it."""
    if wanted is None:
        return np.zeros((len(candidates), TITLE_MATCHES), dtype=np.float32)
    matches = np.array(
        [
            vocabulary.title_match(wanted, title, category)
            for title, category in zip(candidates.titles, candidates.categories, strict=True)
        ],
        dtype=np.float32,
    ).reshape(-1, TITLE_MATCHES)
    wordless = candidates.wordless
    if read is not None and wordless.any():
        matches[wordless] = predicted_title_match(classifier.classes, read.rows(wordless), wanted)
    # Words that state no colour leave it to the photo (retrieval.SourceQuery.colourless_photos).
    colourless = candidates.colourless
    if read is not None and colourless.any():
        chance = colour_chance(classifier.classes, read.rows(colourless), wanted)
        if chance is not None:
            matches[colourless, COLOURS_NAMED] = chance
    if narrower_photos is not None:
        narrower_photos.read_vague(
            matches,
            candidates.text.any(axis=1),
            candidates.photo,
            wanted,
            vocabulary.narrower_kinds,
        )
    return matches


def _attribute_agreement(
    candidates: Candidates,
    vectors: QueryVectors,
    classifier: AttributeClassifier | None,
    read: AttributeProfiles | None,
) -> np.ndarray:
    if vectors.image is None or read is None:
        return np.zeros((len(candidates), 3), dtype=np.float32)
    query = classifier.predict(photo_map_input(vectors.image[None], vectors.colour[None]))
    products = classifier.profiles(
        candidates.titles, candidates.categories, read, described=candidates.text.any(axis=1)
    )
    return agreement(classifier.classes, query, products)
