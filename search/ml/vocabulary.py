"""What a product's words say about it, for pseudo-queries and their relevance labels.

Shoppers search by what a product is (its head noun: "kurta", "shoes"), its colour and whom it
is for. Product titles say the same in their own order ("Fabindia Men Printed Red Kurta"): the
head noun comes last, the brand first. These rules are general English e-commerce conventions,
not facts learned from any one catalogue.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[a-z]+")

GENDERS = {
    "men": "men", "man": "men", "mens": "men", "male": "men", "gents": "men",
    "women": "women", "woman": "women", "womens": "women", "ladies": "women",
    "female": "women", "boys": "boys", "boy": "boys", "girls": "girls", "girl": "girls",
    "kids": "kids", "unisex": "unisex",
}  # fmt: skip

COLOURS = frozenset(
    """black white blue red green yellow pink purple orange brown grey gray navy beige maroon
    cream olive silver gold golden khaki teal tan peach magenta charcoal burgundy rust mustard
    lavender turquoise violet coffee copper bronze mauve fluorescent multi metallic off nude
    skin taupe sea""".split()
)

# Words that carry nothing in a query or a title.
_STOP = frozenset("a an and for of the with in on to by set pack s".split())


def stem(word: str) -> str:
    """A crude English singular, applied alike to queries and products (so it need not be
    right, only consistent): "dresses" -> "dress", "shoes" -> "shoe", "jeans" -> "jean"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    # "T-shirt" is one word, "tshirt", as catalogues also spell it.
    joined = text.lower().replace("-", "")
    return [word for word in _WORD.findall(joined) if word not in _STOP]


@dataclass(frozen=True)
class Attributes:
    """What a title or a query states: its head noun, colours and gender (each may be empty)."""

    head: str
    colours: frozenset[str]
    gender: str


# Every query compares its words with the titles of some 150 candidates, most of them met
# before: reading each title once per process keeps that off a query's path.
@lru_cache(maxsize=65_536)
def attributes(text: str) -> Attributes:
    tokens = words(text)
    colours = frozenset(token for token in tokens if token in COLOURS)
    gender = next((GENDERS[token] for token in tokens if token in GENDERS), "")
    nouns = [t for t in tokens if t not in COLOURS and t not in GENDERS and len(t) > 1]
    return Attributes(head=stem(nouns[-1]) if nouns else "", colours=colours, gender=gender)


@dataclass(frozen=True)
class ProductTerms:
    """The stemmed words of a product's title and category, and its genders."""

    terms: frozenset[str]
    genders: frozenset[str]

    @classmethod
    def of(cls, title: str, category: str) -> "ProductTerms":
        tokens = words(f"{title} {category}")
        return cls(
            terms=frozenset(stem(token) for token in tokens),
            genders=frozenset(GENDERS[token] for token in tokens if token in GENDERS),
        )


def names_noun(noun: str, title: str, category: str) -> bool:
    """Whether a product is, by its own words, what `noun` (a query's head noun) names: its
    title's head noun or a word of its category. Words elsewhere in a title (a brand called
    "Denim", "shirt" in "shirt dress") do not count."""
    if not noun:
        return False
    return attributes(title).head == noun or noun in _category_nouns(category)


@lru_cache(maxsize=4096)
def _category_nouns(category: str) -> frozenset[str]:
    return frozenset(stem(word) for word in words(category))


def title_match(query: Attributes, title: str, category: str) -> tuple[float, float]:
    """What a product's own words say of a text query: whether they name its noun (names_noun),
    and its colours: 1 for the very colours, 0.5 for those among others ("Blue & Black" for a
    blue query), 0 for others or none."""
    named = attributes(title).colours
    colours = 0.0
    if query.colours and query.colours <= named:
        colours = 1.0 if query.colours == named else 0.5
    return float(names_noun(query.head, title, category)), colours


def relevance(query: Attributes, product: ProductTerms) -> int:
    """2: the product is what the query names, in its colours, for its gender; 1: only what it
    names; 0: something else. A product that names no gender, or is unisex, suits any."""
    if not query.head or query.head not in product.terms:
        return 0
    colours_match = query.colours <= product.terms
    gender_match = (
        not query.gender
        or query.gender == "unisex"
        or not product.genders
        or bool({query.gender, "unisex"} & product.genders)
    )
    return 2 if colours_match and gender_match else 1
