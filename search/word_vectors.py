"""Words in the text encoder's space: each embedded once per process, how near in meaning
words are to category names (for learning a catalogue's kinds), and the catalogue's kind words
nearest to a word it does not use ("haversack" -> "backpack")."""

import random
import threading
from collections.abc import Sequence
from functools import cache

import numpy as np

from search.ml.encoders.base import Encoder
from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.vocabulary import Vocabulary
from search.related_kinds import related_kinds

# Kind words of the catalogue that the encoder compares unknown words with, at most: enough
# for a department store's kinds, few enough to embed in a second or two once per process.
MAX_KIND_TERMS = 600
# How near a kind word must be to a shopper's word to be added: nearer than this share of
# common English nouns unrelated to the catalogue's kinds come to their nearest kind
# (NearestKindTerms.chance_nearness), out of this many such nouns.
CHANCE_QUANTILE = 0.99
CHANCE_NOUNS = 600


class WordVectors:
    """Words and short names in the text space, each embedded once per process (a catalogue
    learned again after a change embeds only its new words); shared by the kind learning and
    the nearest kind terms of one encoder."""

    MAX_REMEMBERED = 200_000  # words and names; then forgotten all at once

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), d) normalised vectors."""
        with self._lock:
            if len(self._vectors) > self.MAX_REMEMBERED:
                self._vectors.clear()
            missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
            if missing:
                self._vectors.update(zip(missing, self.encoder.encode_texts(missing), strict=True))
            if not texts:
                return np.zeros((0, self.encoder.dims.text), dtype=np.float32)
            return np.stack([self._vectors[text] for text in texts])


class EncoderRelatedness:
    """How near in meaning words are to category names, by the text encoder (a Relatedness
    for Vocabulary.learn)."""

    def __init__(self, vectors: WordVectors) -> None:
        self.vectors = vectors
        self.version = vectors.encoder.version  # what a vocabulary learned with it names

    def __call__(self, words: Sequence[str], categories: Sequence[str]) -> np.ndarray:
        return (self.vectors(words) * self.vectors(categories)).sum(axis=1)


@cache
def word_vectors(encoder: Encoder) -> WordVectors:
    """This process's word vectors of the encoder, shared by all that reads words with it."""
    return WordVectors(encoder)


@cache
def encoder_relatedness(encoder: Encoder) -> EncoderRelatedness:
    """The relatedness that this process learns the live vocabulary with (search.selectors,
    search.indexing, search.tasks)."""
    return EncoderRelatedness(word_vectors(encoder))


def kind_terms(vocabulary: Vocabulary) -> list[str]:
    """The catalogue's words for its kinds of product (what its products are, by their own
    words), as it spells them, the commonest first."""
    return [
        vocabulary.spellings.get(word, word)
        for word, _ in vocabulary.kinds.most_common(MAX_KIND_TERMS)
    ]


class NearestKindTerms:
    """For words the catalogue does not use, its kind words nearest in meaning to each by the
    text encoder ("rucksack" -> "backpack"), when nearer than words unrelated to them almost
    ever come by chance (measured per catalogue, on common English nouns: no threshold is tuned
    on any catalogue or query)."""

    def __init__(self, vectors: WordVectors) -> None:
        self.encoder = vectors.encoder
        self.vectors = vectors
        # The vocabulary, its kind words, their vectors and its chance nearness.
        self._kinds_of: tuple[Vocabulary, list[str], np.ndarray | None, float] | None = None
        # The last chance nearness, by the kind words it was measured for: a catalogue learned
        # again after an edit mostly has the same kinds, and is not measured again.
        self._chance_of: tuple[frozenset[str], float] = (frozenset(), 1.0)
        self._lock = threading.Lock()

    def __call__(self, vocabulary: Vocabulary, typed: Sequence[str]) -> list[list[str]]:
        terms, matrix, threshold = self._kinds(vocabulary)
        if not terms:
            return [[] for _ in typed]
        # Shoppers repeat their words: each is embedded once per process (WordVectors).
        similarities = self.vectors(list(typed)) @ matrix.T
        best = similarities.argmax(axis=1)
        return [
            [terms[j]] if row[j] > threshold else []
            for row, j in zip(similarities, best, strict=True)
        ]

    def prepare(self, vocabulary: Vocabulary) -> None:
        """Work out now what the first unknown word would wait for (a second or two: the kinds
        and the chance nearness embed hundreds of words), as a process warms up."""
        self._kinds(vocabulary)

    def _kinds(self, vocabulary: Vocabulary) -> tuple[list[str], np.ndarray | None, float]:
        """The vocabulary's kind words, their vectors and its chance nearness, worked out once
        per vocabulary (a word already embedded for an earlier one is not embedded again, nor
        the chance nearness of the same kinds measured again)."""
        with self._lock:
            if self._kinds_of is None or self._kinds_of[0] is not vocabulary:
                # Kinds named by real words only: a brand or a code is no kind shoppers ask for.
                terms = [term for term in kind_terms(vocabulary) if self.encoder.knows_word(term)]
                matrix = self.vectors(terms) if terms else None
                if terms and self._chance_of[0] != frozenset(terms):
                    self._chance_of = (frozenset(terms), self.chance_nearness(vocabulary, matrix))
                self._kinds_of = (vocabulary, terms, matrix, self._chance_of[1])
            return self._kinds_of[1:]

    def chance_nearness(self, vocabulary: Vocabulary, kinds: np.ndarray) -> float:
        """How near to its nearest kind a word unrelated to the kinds comes by chance: the
        CHANCE_QUANTILE of that nearness over CHANCE_NOUNS common English nouns that the
        catalogue does not use and that WordNet relates to none of its kinds. A maximum over
        hundreds of kinds is compared with a maximum over as many, so that a catalogue with more
        kinds does not relate more words by chance."""
        nouns = wordnet_nouns().common_nouns
        rng = random.Random(0)
        unrelated: list[str] = []
        for noun in rng.sample(nouns, len(nouns)):
            if len(unrelated) == CHANCE_NOUNS:
                break
            if (
                not vocabulary.knows(noun)
                and self.encoder.knows_word(noun)
                and not related_kinds((noun,), vocabulary)
            ):
                unrelated.append(noun)
        if not unrelated:
            return 1.0
        nearest = (self.vectors(unrelated) @ kinds.T).max(axis=1)
        return float(np.quantile(nearest, CHANCE_QUANTILE))
