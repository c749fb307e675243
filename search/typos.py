"""Typos in a shopper's words, corrected to the catalogue's words: a word the catalogue does not
know, one edit from a word it does (two for long words), is that word ("hanbag" -> "handbag"),
found through the deletions both share (symmetric deletes, as SymSpell does); of several, the
likeliest meant, by how often the catalogue uses each and how likely a typing slip explains it (a
noisy channel). Two catalogue words typed as one are split."""

import math

from search.ml.vocabulary import Vocabulary
from search.ml.words import stem

# Words shorter than this are neither corrected nor corrections: too many lie one edit apart.
MIN_CORRECTED_LENGTH = 3
# Words this long may carry two typos.
TWO_EDITS_LENGTH = 8


def correct(word: str, vocabulary: Vocabulary, most_edits: int = 2) -> str | None:
    """The catalogue word one edit away (two for long words, unless `most_edits` is 1): of
    several, the likeliest meant (below); None for a short word, a number, or one with no such
    neighbour."""
    if len(word) < MIN_CORRECTED_LENGTH or not word.isalpha():
        return None
    # The catalogue's words are indexed as stems: the typed word is looked for as typed and
    # as a stem ("jqckets" is "jqcket", one edit from "jacket"; "nightdres" is one edit as
    # typed).
    forms = {word, stem(word)}
    index = typo_index(vocabulary)
    found: dict[str, int] = {}
    for form in forms:
        for variant in _deletes(form):
            for known in index.get(variant, ()):
                if _distance(form, known, vocabulary) <= 1:
                    found[known] = 1
    if not found and len(word) >= TWO_EDITS_LENGTH and most_edits >= 2:
        for form in forms:
            for variant in _deletes(form):
                for shorter in _deletes(variant):
                    for known in index.get(shorter, ()):
                        if _distance(form, known, vocabulary) <= 2:
                            found[known] = 2
    slips = {known: min(_slip_cost(form, known, vocabulary) for form in forms) for known in found}
    # Typists rarely miss the first letter: a correction that changes it is taken only where
    # a slip of a neighbouring key explains it ("sunnies" is not "funny").
    found = {
        known: edits
        for known, edits in found.items()
        if known[0] == word[0] or slips[known] <= edits
    }
    if not found:
        return None
    # Of words as many edits away, the likeliest meant: how often the catalogue uses it, times
    # how likely the slips that explain the typing are (a noisy channel), each far key
    # FAR_SLIP_ODDS times less likely than a missed letter ("mes" is "men", n for s, in a
    # shop where "med" is one listing's word; "bdy" is "body", not "boy", where boys' things
    # are twenty times as many).
    best = min(
        found,
        key=lambda known: (
            found[known],
            (slips[known] - found[known]) / (FAR_SLIP_COST - 1) * math.log(FAR_SLIP_ODDS)
            - math.log1p(vocabulary.frequency[known]),
            known,
        ),
    )
    return vocabulary.spellings.get(best, best)


def split_run_together(word: str, vocabulary: Vocabulary) -> str | None:
    """Two catalogue words typed as one ("waistbelt" -> "waist belt"), or None."""
    best = None
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if vocabulary.knows(left) and vocabulary.knows(right):
            score = min(vocabulary.frequency[stem(left)], vocabulary.frequency[stem(right)])
            if best is None or score > best[0]:
                best = (score, f"{left} {right}")
    return None if best is None else best[1]


def swapped(typed: str, meant: str) -> bool:
    """Whether `typed` is `meant` with two neighbouring letters swapped ("causal": casual)."""
    slips = [i for i, (a, b) in enumerate(zip(typed, meant, strict=False)) if a != b]
    return (
        len(typed) == len(meant)
        and len(slips) == 2
        and slips[1] == slips[0] + 1
        and typed[slips[0]] == meant[slips[1]]
        and typed[slips[1]] == meant[slips[0]]
    )


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


def typo_index(vocabulary: Vocabulary) -> dict[str, list[str]]:
    """The vocabulary's typo index, built once (search.catalogue_vocabulary builds it before a
    process takes the vocabulary up): each one-letter deletion of each catalogue word, stemmed
    and as the catalogue spells it, to the stems it comes from: a typo one edit from a word
    shares a deletion with it (symmetric deletes). Both forms, as "sunglassess" is one edit
    from "sunglasses" and three from its stem "sunglass"."""
    if vocabulary.deletes is None:
        index: dict[str, list[str]] = {}
        for known in vocabulary.frequency:
            if len(known) >= MIN_CORRECTED_LENGTH and known.isalpha():
                spelt = vocabulary.spellings.get(known, known)
                for variant in _deletes(known) | _deletes(spelt):
                    index.setdefault(variant, []).append(known)
        vocabulary.deletes = index
    return vocabulary.deletes


def _distance(typed: str, known: str, vocabulary: Vocabulary) -> int:
    """Edits from a typed word to a catalogue stem or to the catalogue's spelling of it."""
    spelt = vocabulary.spellings.get(known, known)
    return int(min(_edit_distance(typed, known), _edit_distance(typed, spelt)))


def _slip_cost(typed: str, known: str, vocabulary: Vocabulary) -> float:
    """`_distance` weighing each edit by how likely a typing slip it is: among catalogue words
    as many edits away, the one that likelier slips explain ("gren": green, a missed letter,
    rather than grey, n for a far y)."""
    spelt = vocabulary.spellings.get(known, known)
    return min(_edit_distance(typed, target, keyboard=True) for target in (known, spelt))


# Typing slips are mostly a missed or swapped letter, a doubled one, or a neighbouring key
# pressed instead or as well; a key far from the letters around it is a rarer slip. Key
# centres on a QWERTY keyboard, in key widths (each row set off from the one above as on a real
# keyboard); neighbours lie within NEAR_KEYS.
_KEY_CENTRES = {
    key: (column + offset, row)
    for row, (keys, offset) in enumerate(
        (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
    )
    for column, key in enumerate(keys)
}
NEAR_KEYS = 1.3
FAR_SLIP_COST = 1.5
# How much likelier a missed letter, the commonest slip, is than a given far key: per letter
# typed, a missed letter is about as common as all mistyped keys together, about half of which
# hit one of some six neighbours and half one of some twenty far keys (studies of typing
# errors), so some forty times.
FAR_SLIP_ODDS = 40.0


def _near(a: str, b: str) -> bool:
    centres = _KEY_CENTRES.get(a), _KEY_CENTRES.get(b)
    return a == b or (None not in centres and math.dist(*centres) <= NEAR_KEYS)


def _edit_distance(a: str, b: str, keyboard: bool = False) -> float:
    """Damerau-Levenshtein distance from typed `a` to meant `b` (adjacent swaps count as one
    edit). With `keyboard`, a substitution by a far key and an extra letter far from the keys
    beside it cost FAR_SLIP_COST."""

    def substituted(typed: str, meant: str) -> float:
        if typed == meant:
            return 0.0
        return 1.0 if not keyboard or _near(typed, meant) else FAR_SLIP_COST

    def extra(i: int) -> float:  # a[i] typed but not meant
        beside = a[max(i - 1, 0) : i] + a[i + 1 : i + 2]
        return 1.0 if not keyboard or any(_near(a[i], key) for key in beside) else FAR_SLIP_COST

    previous2: list[float] = []
    previous = [float(j) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [previous[0] + extra(i - 1)] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(
                previous[j] + extra(i - 1),
                current[j - 1] + 1,
                previous[j - 1] + substituted(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
