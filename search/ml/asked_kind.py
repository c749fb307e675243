"""What a shopper's query asks for: the word that says what kind of product it wants.

A title is read by the words that tell the catalogue's categories apart (Vocabulary.kind); a
query is a phrase of English, which ends a noun phrase with what it names ("skin concealer",
"crew neck tee", "phone case") and describes it after a preposition ("case for a phone"). Where
two words that both name kinds meet, the catalogue's own titles that use both say how to read
them ("Track pants - black" is of the kind "track" there), else English does ("clutch purse":
a clutch is a kind of purse).
"""

import re

import numpy as np

from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.vocabulary import NARROWS_KIND_SHARE, USUAL_KIND_EVIDENCE, Vocabulary
from search.ml.words import descriptive, stem, words

# Words that start a phrase describing what came before it ("for", "with", "in" of "bag for a
# laptop", "lounge pants in grey"), or another thing asked for ("and"): general English.
_PHRASE_BREAK = re.compile(r"\b(?:and|for|with|without|in|on|from|by|at|of|under|over|to)\b")


def asked_kind(vocabulary: Vocabulary, query: str) -> str:
    """The stemmed word that says what `query` asks for: in the first phrase that has one, the
    last word that the catalogue calls products by (a title's kind or a category's name), or
    the one before it where that names what both ask for (_names_whole); else the last word
    that mostly products of one kind use (Vocabulary.usual_kind: "tee" where titles say
    "T-shirt", though "crew" is one too). A query with neither is read as a title is."""
    phrases = [descriptive(words(phrase)) for phrase in _PHRASE_BREAK.split(query.lower())]
    for names in (vocabulary.calls_products_by, vocabulary.usual_kind):
        for phrase in phrases:
            named = [word for word in phrase if names(stem(word))]
            if len(named) > 1 and _names_whole(vocabulary, named[-2], named[-1]):
                return stem(named[-2])
            if named:
                return stem(named[-1])
    return vocabulary.kind(words(query))


def _names_whole(vocabulary: Vocabulary, word: str, next_word: str) -> bool:
    """Whether `word`, before `next_word` that names a kind too, names what the two ask for. As
    the catalogue reads its own titles that use both, where at least USUAL_KIND_EVIDENCE do:
    most of them are of the kind `word` ("Track pants - black", "Innerwear Vest", "Lip Gloss")
    or of `next_word`. Else as English does: `next_word`, unless `word` is a kind of it."""
    first, second = stem(word), stem(next_word)
    both = np.intersect1d(vocabulary.postings.get(first, ()), vocabulary.postings.get(second, ()))
    if len(both) >= USUAL_KIND_EVIDENCE:
        kinds = vocabulary.row_kinds[both]
        for kind in (first, second):
            if kind in vocabulary.kind_names:
                of_kind = np.count_nonzero(kinds == vocabulary.kind_names.index(kind))
                if of_kind > NARROWS_KIND_SHARE * len(both):
                    return kind == first
    return wordnet_nouns().kind_of(word, next_word)
