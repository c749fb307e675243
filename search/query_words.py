"""A shopper's words, understood against the catalogue: typos corrected, and the catalogue's
own terms for what they asked added. Their words are never replaced: they stay in what the
encoder reads and in the logs; full-text search looks for each word or its alternatives.

Where the added terms come from, all of it general or learned from the catalogue:
- the catalogue's vocabulary, for typos (search.typos): a word the catalogue does not know,
  one edit from a word it does, is that word ("hanbag" -> "handbag");
- general British/American retail words (search.ml.lexicon): "trainers" finds "sneakers",
  where the catalogue says so;
- the text encoder: a word the catalogue does not use at all ("rucksack"), or uses rarely and
  never for what a product is ("trainers" said by a few listings of socks), is matched to the
  catalogue's kind words nearest in meaning ("backpack", "shoes"), as close as general synonyms
  are.
"""

import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice

import numpy as np

from search.ml.encoders.base import Encoder
from search.ml.lexicon import colour_families, find_colours, regional_groups
from search.ml.vocabulary import (
    AUDIENCES,
    NARROWS_KIND_SHARE,
    PLACEHOLDER_WORDS,
    Vocabulary,
    stem,
    words,
)
from search.typos import correct, split_run_together

# Kind words of the catalogue that the encoder compares unknown words with, at most: enough
# for a department store's kinds, few enough to embed in a second or two once per process.
MAX_KIND_TERMS = 600
# How near a kind word must be to a shopper's word to be added: nearer than this share of
# random pairs of general words are to each other (NearestKindTerms.threshold).
RANDOM_PAIR_QUANTILE = 0.99
RANDOM_PAIRS = 600

NearestTerms = Callable[[Sequence[str]], list[list[str]]]


@dataclass(frozen=True)
class QueryWords:
    """A query as search reads it."""

    text: str  # the shopper's words, spaces tidied
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> catalogue word
    added: tuple[str, ...] = ()  # related catalogue terms
    # Per searchable word, the words full-text search accepts for it (any one will do).
    keyword_groups: tuple[tuple[str, ...], ...] = ()

    @property
    def corrected(self) -> str:
        """The query as typed, its typos corrected ("" when it had none): "Showing results for"."""
        corrected = self.text
        for typed, correction in self.corrections.items():
            corrected = re.sub(rf"\b{re.escape(typed)}\b", correction, corrected, flags=re.I)
        return corrected if self.corrections else ""

    @property
    def for_encoder(self) -> str:
        """The shopper's words, then their corrections and the added terms."""
        extra = [word for word in (*self.corrections.values(), *self.added) if word]
        return " ".join(dict.fromkeys([self.text, *extra])).strip()

    @property
    def tsquery(self) -> str:
        """PostgreSQL to_tsquery text: every word group must match, by any of its words."""
        return " & ".join(
            "(" + " | ".join(" & ".join(words(alt)) for alt in group) + ")"
            for group in self.keyword_groups
            if group
        )


def understand(
    text: str,
    vocabulary: Vocabulary,
    nearest: NearestTerms | None = None,
    exact: bool = False,
    is_word: Callable[[str], bool] | None = None,
) -> QueryWords:
    """The query's words against the catalogue's (see the module's doc). `nearest` finds the
    catalogue's kind words for words it does not use; `is_word` says whether a word
    the catalogue does not use is a real word (then its meaning is sought, not a spelling);
    `exact`: the words as typed, nothing corrected or added."""
    text = " ".join(text.split())
    tokens = words(text)
    if exact:
        return QueryWords(text=text, keyword_groups=tuple((token,) for token in tokens))
    groups: list[tuple[str, ...]] = []
    corrections: dict[str, str] = {}
    added: list[str] = []
    # (group, words): the catalogue's nearest kind words to these are sought for the group
    sought: list[tuple[int, tuple[str, ...]]] = []
    regional = regional_groups()
    colour_at = {start: (end, phrase) for start, end, phrase in find_colours(tokens)}
    head = vocabulary.attributes(text).head
    skip = 0
    for i, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        if i in colour_at:
            # A colour is one word, however many it takes ("royal blue", "jet black"): found
            # by its own words or by its family's.
            end, phrase = colour_at[i]
            skip = end - i - 1
            groups.append(_colour_group(phrase, vocabulary))
            continue
        if token in AUDIENCES:
            groups.append(_audience_group(token, vocabulary))
            continue
        # A two-word phrase of the general lexicon ("cell phone") is one word here.
        pair = f"{token} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if pair in regional and not vocabulary.knows(token):
            token, skip = pair, 1
        alternatives = _known(regional.get(token, ()), vocabulary)
        if vocabulary.knows(token):
            if not _describes_only(token, head, vocabulary, is_word):
                groups.append((token, *alternatives))
                if _names_no_kind(token, head, vocabulary):
                    sought.append((len(groups) - 1, (token, *alternatives)))
        elif alternatives:
            groups.append(tuple(alternatives))
            added.extend(alternatives)
        elif is_word is not None and is_word(token):
            sought.append((len(groups), (token,)))
            groups.append(())
        elif (correction := correct(token, vocabulary)) is not None:
            corrections[token] = correction
            groups.append((correction,))
        elif (parts := split_run_together(token, vocabulary)) is not None:
            groups.append((parts,))
            added.append(parts)
        elif token not in PLACEHOLDER_WORDS:
            sought.append((len(groups), (token,)))
            groups.append(())
    if sought and nearest is not None:
        found = iter(nearest([word for _, looked_up in sought for word in looked_up]))
        for index, looked_up in sought:
            terms = [term for near in islice(found, len(looked_up)) for term in near]
            groups[index] = tuple(dict.fromkeys((*groups[index], *terms)))
            added.extend(terms)
    return QueryWords(
        text=text,
        corrections=corrections,
        added=tuple(dict.fromkeys(word for word in added if word)),
        keyword_groups=tuple(group for group in groups if group),
    )


def _names_no_kind(token: str, head: str, vocabulary: Vocabulary) -> bool:
    """Whether the word that says what the shopper wants is one the catalogue uses, but rarely
    and never for what a product is ("trainers" in a shop that lists them as "sports shoes"):
    the catalogue's kind words nearest to it are sought too, as for a word it does not use."""
    return stem(token) == head and not vocabulary.kinds.get(head) and not vocabulary.shared(token)


def _describes_only(
    token: str, head: str, vocabulary: Vocabulary, is_word: Callable[[str], bool] | None
) -> bool:
    """Whether a word only describes what the shopper wants ("classic", "cute", "cheap"): a
    general word that few of the catalogue's products happen to use, and not what the query
    asks for. Full-text search would find just those few products, so the word is left to the
    vectors. The catalogue's kinds, its common words, names or codes ("kallax", "xm4") and a
    rare word that mostly products of the kind asked for use, which narrows it ("gloss" of
    "lip gloss"), stay required."""
    return (
        is_word is not None
        and stem(token) != head
        and not vocabulary.shared(token)
        and is_word(token)
        and vocabulary.kind_share(token, head) <= NARROWS_KIND_SHARE
    )


def _colour_group(phrase: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """What full-text search accepts for a colour: the phrase as typed, and its family's name
    where the catalogue uses it ("royal blue" or "blue"). A phrase with words the catalogue
    never uses, and no family word it uses, asks nothing of the keywords."""
    family = colour_families()[phrase]
    return tuple(
        dict.fromkeys(
            alternative
            for alternative in (phrase, family)
            if all(vocabulary.knows(word) for word in alternative.split())
        )
    )


def _audience_group(token: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """A word for whom a product is for, as the catalogue says it: "him" finds "men"."""
    return tuple(
        dict.fromkeys(word for word in (token, AUDIENCES[token]) if vocabulary.knows(word))
    )


def _known(candidates, vocabulary: Vocabulary) -> list[str]:
    return sorted(
        candidate
        for candidate in candidates
        if all(vocabulary.knows(part) for part in candidate.split())
    )


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
    """For words the catalogue does not use, its kind words nearest in meaning to
    each by the text encoder ("rucksack" -> "backpack"), when nearer than random pairs of
    general words almost ever are (the encoder's own similarities on the general lexicon: no
    threshold is tuned on any catalogue or query)."""

    def __init__(self, vectors: WordVectors) -> None:
        self.encoder = vectors.encoder
        self.vectors = vectors
        self._threshold: float | None = None
        self._kinds_of: tuple[Vocabulary, list[str], np.ndarray | None] | None = None
        self._lock = threading.Lock()

    def __call__(self, vocabulary: Vocabulary, typed: Sequence[str]) -> list[list[str]]:
        terms, matrix = self._kinds(vocabulary)
        if not terms:
            return [[] for _ in typed]
        threshold = self.threshold()
        # Shoppers repeat their words: each is embedded once per process (WordVectors).
        similarities = self.vectors(list(typed)) @ matrix.T
        best = similarities.argmax(axis=1)
        return [
            [terms[j]] if row[j] >= threshold else []
            for row, j in zip(similarities, best, strict=True)
        ]

    def prepare(self, vocabulary: Vocabulary) -> None:
        """Work out now what the first unknown word would wait for (seconds: the threshold
        embeds thousands of general words), as a process warms up."""
        self._kinds(vocabulary)
        self.threshold()

    def _kinds(self, vocabulary: Vocabulary) -> tuple[list[str], np.ndarray]:
        """The vocabulary's kind words and their vectors, worked out once per vocabulary (a kind
        already embedded for an earlier one is not embedded again)."""
        with self._lock:
            if self._kinds_of is None or self._kinds_of[0] is not vocabulary:
                # Kinds named by real words only: a brand or a code is no kind shoppers ask for.
                terms = [term for term in kind_terms(vocabulary) if self.encoder.knows_word(term)]
                matrix = self.vectors(terms) if terms else None
                self._kinds_of = (vocabulary, terms, matrix)
            return self._kinds_of[1], self._kinds_of[2]

    def threshold(self) -> float:
        """The similarity that only RANDOM_PAIR_QUANTILE of random pairs of the general
        lexicon's words reach: a word this near a kind word is related to it, not by chance."""
        if self._threshold is None:  # computed once; a race computes the same figure twice
            single = sorted(word for word in regional_groups() if " " not in word)
            rng = random.Random(0)
            left = [rng.choice(single) for _ in range(RANDOM_PAIRS)]
            right = [rng.choice(single) for _ in range(RANDOM_PAIRS)]
            similarity = (self.encoder.encode_texts(left) * self.encoder.encode_texts(right)).sum(1)
            self._threshold = float(np.quantile(similarity, RANDOM_PAIR_QUANTILE))
        return self._threshold
