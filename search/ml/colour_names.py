"""Colour words of a name in a catalogue's titles rather than a colour: "Red Tape", "Indigo
Nation" and "Do u speak green" are brands whose listings come in every colour ("Red Chief Men
Tan Sandals" are tan). Learned from the catalogue, in any shop: a colour beside the same word
(after it or before it) in at least `evidence` titles, more than `share` of which name another
colour, is no colour there. A colour beside another ("Black Red Shoe") is one of several the
product has, and counts for neither side."""

from collections import defaultdict
from collections.abc import Sequence

from search.ml.lexicon import colour_families, find_colours

# (colour phrase, the word right after it) or (the word right before it, colour phrase)
ColourNames = frozenset[tuple[str, str]]


def learn_colour_names(titles: Sequence[Sequence[str]], evidence: int, share: float) -> ColourNames:
    """The (colour, next word) and (word before, colour) pairs of names in these titles' words.
    Learned twice: the other colour a title names may itself be a name's ("Red Chief Men Khaki
    Sandals" says khaki)."""
    names: ColourNames = frozenset()
    for _ in range(2):
        names = _learned(titles, names, evidence, share)
    return names


def _learned(
    titles: Sequence[Sequence[str]], names: ColourNames, evidence: int, share: float
) -> ColourNames:
    families = colour_families()
    seen: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for tokens in titles:
        found = find_colours(tokens)
        said = _without_names(tokens, found, names)
        in_colour = {i for start, end, _ in found for i in range(start, end)}
        for start, end, phrase in found:
            if end in in_colour or start - 1 in in_colour:
                continue
            others = {families[other] for at, _, other in said if at != start}
            for pair in _beside(tokens, start, end, phrase):
                counts = seen[pair]
                counts[0] += 1
                counts[1] += bool(others - {families[phrase]})
    return frozenset(
        pair for pair, (used, beside) in seen.items() if used >= evidence and beside > share * used
    )


def colours_said(tokens: Sequence[str], names: ColourNames) -> list[tuple[int, int, str]]:
    """The colours the words say (lexicon.find_colours), without those of a name."""
    return _without_names(tokens, find_colours(tokens), names)


def _without_names(
    tokens: Sequence[str], found: list[tuple[int, int, str]], names: ColourNames
) -> list[tuple[int, int, str]]:
    return [
        (start, end, phrase)
        for start, end, phrase in found
        if not names.intersection(_beside(tokens, start, end, phrase))
    ]


def _beside(tokens: Sequence[str], start: int, end: int, phrase: str) -> list[tuple[str, str]]:
    """A colour with the word after it and with the word before it: where a name may begin
    with it ("Red Tape") or end with it ("Do u speak green")."""
    return [
        *([(phrase, tokens[end])] if end < len(tokens) else []),
        *([(tokens[start - 1], phrase)] if start > 0 else []),
    ]
