"""The catalogue's kind words that general English (WordNet) relates to a shopper's words
(search.query_words)."""

from collections.abc import Sequence

from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.vocabulary import Vocabulary
from search.ml.words import stem, words


def related_kinds(
    looked_up: Sequence[str], vocabulary: Vocabulary, asked_for: bool = True
) -> list[str]:
    """The catalogue's kind words that general English relates to the shopper's words, by
    WordNet: for the first of their meanings, commonest first, that leads to any, the kinds
    that name the same thing ("frock" -> "dress"), else a broader one ("chinos" ->
    "trousers"), else narrower ones ("timepiece" -> "watch", "clock"); of words that are not
    what the query asks for (`asked_for` false), only those that name the same thing. Asked for
    the words the catalogue names no kind by (Vocabulary.names_kind), so a shop's own words
    always come first."""
    own = {stem(word) for word in looked_up}
    nouns = wordnet_nouns()
    for word in looked_up:
        for sense in nouns.senses(word):
            tiers = (sense.words, sense.broader, sense.narrower) if asked_for else (sense.words,)
            for related in tiers:
                kinds = _kinds_named(related, vocabulary, own)
                if kinds:
                    return kinds
    return []


def _kinds_named(phrases: Sequence[str], vocabulary: Vocabulary, own: set[str]) -> list[str]:
    """Those of WordNet's words that are one word of the catalogue's, and a kind it sells by
    that name (Vocabulary.names_kind: not "machine" of a brand's name for "compact", whose
    commonest meaning is a car), as the catalogue spells them ("t-shirt" is "tshirt", as
    search reads both)."""
    kinds = []
    for phrase in phrases:
        tokens = words(phrase)
        if len(tokens) != 1 or (word := stem(tokens[0])) in own:
            continue
        if vocabulary.names_kind(word):
            kinds.append(vocabulary.spellings.get(word, tokens[0]))
    return list(dict.fromkeys(kinds))
