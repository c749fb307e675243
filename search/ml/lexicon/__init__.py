"""General English word lists for search in any shop: colour words and British/American
retail vocabulary, read once per process from the tab-separated files beside this module.

Why lists and not learning: a shop's own catalogue is often too small or too one-sided to
learn that "navy" is a blue or that "trainers" are "sneakers", and these facts hold in every
shop. Both files were written by hand for any kind of shop (fashion, home, electronics,
groceries, DIY, garden, baby, stationery, beauty), from general knowledge only; no
catalogue, query log or evaluation data was read to make or tune them.

- colours.tsv (`name`, `family`, `source`): a colour phrase and its basic colour family.
  `css`: the CSS Color Module Level 4 / X11 colour keywords, CamelCase split into words
  ("DarkSlateGray" -> "dark slate gray"), both CSS spellings of grey; a few keywords that in
  product titles mostly name something else are left out (snow, linen, tomato, wheat,
  honeydew, bisque, moccasin, peru, seashell, thistle). `retail`: colour words common in
  product text (fashion shades, wood and metal finishes, device finishes such as "space
  grey"). `spelling`: variants of those (gray/grey, color/colour, common misspellings such
  as "fuschia"). Families follow common retail usage where CSS differs ("indigo" is blue).
- regional_words.tsv (`group`, `source`): comma-separated words or phrases that name the
  same thing in general retail English. `uk-us`: British and American words ("trainers",
  "sneakers"); `spelling`: British and American spellings (-our/-or, -ise/-ize, -re/-er,
  -ogue/-og and others seen in product text). Related but different products are not
  grouped.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

FAMILIES = frozenset(
    """black white grey brown beige red pink orange yellow green blue purple gold silver
    multi""".split()
)
COLOUR_SOURCES = frozenset({"css", "retail", "spelling"})
REGIONAL_SOURCES = frozenset({"uk-us", "spelling"})

# Bare "rose" is left out on purpose: in titles it is as often a flower, a scent, a rose
# print or rosé wine as a pink; "rose pink", "dusty rose", "rose gold" and the CSS
# "misty rose" are unambiguous and listed. The same reasoning left out "sea", "skin", "off",
# "multi", "ash", "cherry", "pearl", "denim", "wine", "smoke", "petrol" and "champagne" as
# single words; their colour phrases ("ash grey", "cherry red", "pearl white") are listed.

# Single-word colours of the lexicon that are as often a food, a material, a gem or a plant
# ("olive oil", "walnut halves", "gold ring", "cream cheese"): kept, because shoppers do use
# them as colours, but a caller may want a second sign (another colour word beside them, or
# a product kind that comes in colours) before filtering on them.
NOUN_COLOURS = frozenset(
    """olive lime orange peach apricot tangerine mint sage mustard salmon chocolate plum
    aubergine eggplant pistachio oatmeal caramel mocha cognac chestnut cream lavender orchid
    fuchsia lilac coral walnut oak teak mahogany rosewood wenge ebony gold silver brass copper
    bronze chrome platinum rust amber sand stone slate charcoal graphite pewter onyx ruby
    emerald jade sapphire amethyst camel mink tan blush midnight rainbow terracotta""".split()
)


def _rows(filename: str) -> list[list[str]]:
    """The file's rows as fields, its header left out: data files ship inside the package."""
    text = files(__name__).joinpath(filename).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    return [line.split("\t") for line in lines[1:]]


@cache
def colour_families() -> dict[str, str]:
    """Colour phrase -> basic family ("navy" -> "blue"), so that shoppers' and merchants'
    different words for one colour agree. Shared per process: do not modify."""
    families: dict[str, str] = {}
    for fields in _rows("colours.tsv"):
        if len(fields) != 3 or fields[1] not in FAMILIES or fields[2] not in COLOUR_SOURCES:
            raise ValueError(f"colours.tsv: bad row {fields!r}")
        name, family, _ = fields
        if families.setdefault(name, family) != family:
            raise ValueError(f"colours.tsv: {name!r} is listed in two families")
    return families


@cache
def shade(phrase: str) -> str:
    """The shade a colour phrase names, within its family: "navy blue" and "navy" are both
    "blue:navy", "charcoal grey" is "grey:charcoal", and the family's own name in either
    spelling ("grey", "gray") is "grey:". A shopper who asks for a shade wants that shade
    first, then others of its family."""
    family = colour_families()[phrase]
    # "Multi coloured" and "multi color" are one shade: the word colour itself names none.
    own = [
        word
        for word in phrase.split()
        if not _spelt_like(word, family) and not word.startswith(("color", "colour"))
    ]
    return f"{family}:{' '.join(own)}"


def family_shade(shade_name: str) -> str:
    """The family's own shade of a shade ("blue:navy" -> "blue:")."""
    return shade_name.split(":", 1)[0] + ":"


def _spelt_like(word: str, family: str) -> bool:
    """The family's name or a spelling of it one letter off ("gray" for grey)."""
    if word == family:
        return True
    if len(word) != len(family) or len(word) < 4:
        return False
    return sum(a != b for a, b in zip(word, family, strict=True)) == 1


@cache
def _colour_index() -> tuple[dict[tuple[str, ...], str], int]:
    """The colour phrases by their word sequence, and the longest phrase's length in words."""
    index = {tuple(name.split()): name for name in colour_families()}
    return index, max(len(words) for words in index)


def find_colours(tokens: Sequence[str]) -> list[tuple[int, int, str]]:
    """The colour phrases in lower-case word tokens as (start, end, phrase), in reading order.

    Longer phrases win and matches do not overlap, so "navy blue" is one colour, not "navy"
    and "blue", and "light sea green" is not "sea green"."""
    index, longest = _colour_index()
    candidates = [
        (length, start, phrase)
        for start in range(len(tokens))
        for length in range(1, min(longest, len(tokens) - start) + 1)
        if (phrase := index.get(tuple(tokens[start : start + length]))) is not None
    ]
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]))
    taken = [False] * len(tokens)
    found = []
    for length, start, phrase in candidates:
        if not any(taken[start : start + length]):
            taken[start : start + length] = [True] * length
            found.append((start, start + length, phrase))
    return sorted(found)


@cache
def regional_groups() -> dict[str, frozenset[str]]:
    """Word or phrase -> the other words for the same thing ("couch" -> "sofa", "settee"), so
    a query in one English finds products described in the other. A word in several groups
    ("cot": a crib, a camp bed) gets all their members. Shared per process: do not modify."""
    others: defaultdict[str, set[str]] = defaultdict(set)
    for fields in _rows("regional_words.tsv"):
        if len(fields) != 2 or fields[1] not in REGIONAL_SOURCES:
            raise ValueError(f"regional_words.tsv: bad row {fields!r}")
        members = {member.strip() for member in fields[0].split(",") if member.strip()}
        if len(members) < 2:
            raise ValueError(f"regional_words.tsv: a group of one {fields[0]!r}")
        for member in members:
            others[member] |= members - {member}
    return {member: frozenset(group) for member, group in others.items()}
