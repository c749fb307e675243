"""Two typed words read as one (search.query_words): a word the catalogue writes as one ("ear
rings": "earrings"), a phrase of the general lexicon ("t shirt") or an English compound noun
("lamp shade")."""

from collections.abc import Callable
from dataclasses import dataclass

from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.vocabulary import Vocabulary
from search.ml.words import AUDIENCES, stem
from search.typos import correct


@dataclass(frozen=True)
class Joined:
    """Two typed words that make one word of the catalogue's."""

    word: str  # that word, as the catalogue spells it
    # The two as the catalogue's own words, their typos corrected ("" where one is not its word)
    apart: str
    corrections: dict[str, str]  # typed word -> correction, of the two


def read_as_one(
    pair: str, vocabulary: Vocabulary, spell: Callable[[str], str | None]
) -> Joined | None:
    """The catalogue's word that two typed words make together ("ear rings": "earrings", "sun
    glasess": "sunglasses"); None where they make none. A typo is corrected in each word as it
    would be alone (`spell`), else in the two together where they are not both the catalogue's
    words, by one edit only: two common words are often two letters from some long word ("blu
    scent": "lucent")."""
    typed = pair.split()
    if any(word in AUDIENCES or not word.isalpha() for word in typed):
        return None
    fixed = {
        word: correction
        for word in typed
        if not vocabulary.knows(word) and (correction := spell(word))
    }
    parts = [fixed.get(word, word) for word in typed]
    apart = " ".join(parts) if all(map(vocabulary.knows, parts)) else ""
    together = "".join(parts)
    if vocabulary.knows(together):
        return Joined(vocabulary.spellings.get(stem(together), together), apart, fixed)
    if apart:
        return None
    corrected = correct("".join(typed), vocabulary, most_edits=1)
    return None if corrected is None else Joined(corrected, "", {})


def regional_phrase(pair: str, regional: dict[str, frozenset[str]], vocabulary: Vocabulary) -> bool:
    """Whether two words are a phrase of the general lexicon ("t shirt") whose first word the
    catalogue does not use: read as one word, with the lexicon's variants."""
    return pair in regional and not vocabulary.knows(pair.split()[0])


def is_phrase(pair: str, regional: dict[str, frozenset[str]], vocabulary: Vocabulary) -> bool:
    """Whether two words are read as one: a phrase of the general lexicon whose first word the
    catalogue does not use, or an English compound noun with a word it does not use."""
    if not pair:
        return False
    if pair in regional:
        return regional_phrase(pair, regional, vocabulary)
    return not all(map(vocabulary.knows, pair.split())) and bool(wordnet_nouns().base_forms(pair))
