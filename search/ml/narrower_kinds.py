"""The narrower kinds a catalogue writes as a word before a kind ("casual shoes", "sports
shoes", "floor lamps"), and which of those words name two kinds rather than one kind by two
names ("running" and "training" shoes, "coffee" and "cocktail" tables).

Read by search.ml.vocabulary.Vocabulary.learn: a product named as another narrower kind than
a query asks for is of another kind (Vocabulary.names_other_kind); one named as none may be
the kind asked for.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations, pairwise

import numpy as np

from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.words import descriptive, stem, words

# kind -> each word that narrows it -> the words that narrow it into other kinds (all stemmed)
NarrowerKinds = dict[str, dict[str, frozenset[str]]]


def words_before(kind: str, texts: Iterable[Sequence[str]]) -> set[str]:
    """The stemmed words that the texts (a title's words, its category's own name's) write
    right before `kind` (stemmed): "casual" of "Puma Men Casual Shoes", "athletic" of
    "Athletic Shoes"."""
    before = set()
    for tokens in texts:
        for previous, token in pairwise(tokens):
            # A stem keeps its word's first two letters: most words are passed over unstemmed.
            if token[:2] == kind[:2] and stem(token) == kind and descriptive([previous]):
                before.add(stem(previous))
    return before


def learn_narrower_kinds(
    written: dict[tuple[str, str], Counter[str]],
    narrows: Callable[[str, str], bool],
    users: Callable[[str, str], np.ndarray],
    kinds: Counter[str],
    spellings: dict[str, str],
    evidence: int,
) -> NarrowerKinds:
    """From `written`, (kind, word written before it) -> the categories of the products that
    write it: each kind's narrowing words, those that at least `evidence` products write and
    that narrow the kind (`narrows(kind, word)`), each with the others that name another
    kind than it (apart). `users(kind, word)` gives the sorted rows of the kind's products
    that use a word; `kinds` how many products each kind has."""
    categories: dict[str, dict[str, str]] = {}
    for (kind, word), found in written.items():
        if found.total() >= evidence and narrows(kind, word):
            categories.setdefault(kind, {})[word] = found.most_common(1)[0][0]
    narrower: NarrowerKinds = {}
    for kind, by_word in categories.items():
        others: dict[str, set[str]] = {word: set() for word in by_word}
        for word, other in combinations(by_word, 2):
            if (
                _seldom_together(users(kind, word), users(kind, other), kinds[kind])
                and not _one_category(kind, by_word[word], by_word[other])
                and not _same_in_english(kind, word, other, spellings)
            ):
                others[word].add(other)
                others[other].add(word)
        narrower[kind] = {word: frozenset(apart) for word, apart in others.items()}
    return narrower


def _seldom_together(rows: np.ndarray, other_rows: np.ndarray, products: int) -> bool:
    """Whether a kind's `products` use two words less than half as often together as they
    would if each used one regardless of the other."""
    both = len(np.intersect1d(rows, other_rows, assume_unique=True))
    return both < 0.5 * len(rows) * len(other_rows) / max(products, 1)


def _one_category(kind: str, category: str, other_category: str) -> bool:
    """Whether the products writing two words before `kind` are mostly in one category of
    their own: "Athletic Shoes" holds both "running" and "training" shoes. A category named by
    the kind alone ("Shoes") tells nothing."""
    return category == other_category and {stem(word) for word in words(category)} != {kind}


def _same_in_english(kind: str, word: str, other: str, spellings: dict[str, str]) -> bool:
    """Whether English names the two narrower kinds the same: "coffee table", "cocktail
    table"."""
    noun = spellings.get(kind, kind)
    return wordnet_nouns().same_thing(
        f"{spellings.get(word, word)} {noun}", f"{spellings.get(other, other)} {noun}"
    )
