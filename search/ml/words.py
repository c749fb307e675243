"""How titles and queries are read into words, alike for every catalogue: lower-case tokens,
a crude English singular, the colours (a general lexicon) and audiences (general English) they
name, and the placeholders, file names and codes that say nothing of a product."""

import re
from collections.abc import Iterable, Sequence

from search.ml.lexicon import NOUN_COLOURS, colour_families, find_colours, shade

_TOKEN = re.compile(r"[a-z0-9]+")

# General English words for whom a product is for, by the audience they name.
AUDIENCES = {
    "men": "men", "man": "men", "mens": "men", "male": "men", "gents": "men",
    "women": "women", "woman": "women", "womens": "women", "ladies": "women",
    "female": "women", "boys": "boys", "boy": "boys", "girls": "girls", "girl": "girls",
    "kids": "kids", "kid": "kids", "children": "kids", "childrens": "kids", "baby": "baby",
    "babies": "baby", "infant": "baby", "toddler": "baby", "unisex": "unisex",
    # As shoppers write them: "a watch for him", "gifts for her", "tees for guys".
    "him": "men", "his": "men", "guys": "men", "her": "women", "hers": "women",
}  # fmt: skip
# The audience of a product for anyone: it suits every audience a query asks for.
UNISEX = "unisex"

# Words that carry nothing in a query or a title.
_STOP = frozenset("a an and or for of the with in on to by at from set pack s x".split())

# Words a merchant writes when they have nothing to say: placeholders of any shop.
PLACEHOLDER_WORDS = frozenset(
    """item items product products listing listings untitled new arrival arrivals just in
    now here sale img image images photo photos pic pics picture dsc dcim pxl jpg jpeg png
    heic webp sku ref code no number test sample tbd tba na none unknown misc other
    default copy draft""".split()
)
# A camera's or phone's file name, or a code: letters and digits run together ("DSC01234").
_CODE = re.compile(r"^(?=.*\d)[a-z0-9]+$")


def stem(word: str) -> str:
    """A crude English singular, applied alike to queries and products (so it need not be
    right, only consistent): "dresses" -> "dress", "shoes" -> "shoe", "jeans" -> "jean"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("lves"):  # shelves, halves
        return word[:-3] + "f"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [word for word in _TOKEN.findall(_joined(text)) if word not in _STOP]


def words_of_all(texts: Iterable[str]) -> set[str]:
    """The words of many texts, as `words` reads each: the tokenizer runs once over them all."""
    return set(_TOKEN.findall(_joined(" ".join(texts)))) - _STOP


def _joined(text: str) -> str:
    # "T-shirt" is one word, "tshirt", as catalogues also spell it; "men's" is "mens".
    return text.lower().replace("-", "").replace("'", "").replace("’", "")


def colours_in(tokens: Sequence[str]) -> frozenset[str]:
    """The colour families the tokens name ("navy blue" -> blue, "charcoal" -> grey)."""
    families = colour_families()
    return frozenset(families[phrase] for _, _, phrase in find_colours(tokens))


def shades_in(tokens: Sequence[str]) -> frozenset[str]:
    """The shades the tokens name (search.ml.lexicon.shade: "navy" -> "blue:navy")."""
    return frozenset(shade(phrase) for _, _, phrase in find_colours(tokens))


def plain_colours_in(tokens: Sequence[str]) -> frozenset[str]:
    """The families of the tokens' colours that are nothing but colours: "navy", "olive green";
    not a word that is as often a food, a wood or a metal ("olive", "walnut", "gold":
    search.ml.lexicon.NOUN_COLOURS)."""
    families = colour_families()
    return frozenset(
        families[phrase] for _, _, phrase in find_colours(tokens) if phrase not in NOUN_COLOURS
    )


def descriptive(tokens: Sequence[str]) -> list[str]:
    """The tokens that may say what a product is: not colours, audiences, codes or numbers."""
    in_colour = {i for start, end, _ in find_colours(tokens) for i in range(start, end)}
    return [
        token
        for i, token in enumerate(tokens)
        if i not in in_colour
        and token not in AUDIENCES
        and len(token) > 1
        and not _CODE.match(token)
        and token not in PLACEHOLDER_WORDS
    ]


def carries_meaning(text: str) -> bool:
    """Whether a product's text says anything about it: a word that is no placeholder ("New
    arrival", "Untitled"), camera file name ("IMG_0042"), code ("SKU 4821") or number, and
    looks like a word (a vowel among its letters)."""
    return any(
        len(token) > 2 and not token.isdigit() and re.search(r"[aeiouy]", token)
        for token in descriptive(words(text))
    )
