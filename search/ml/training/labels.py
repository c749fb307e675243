"""What each candidate of a training query is worth: the gains the match head learns to order
by (search.ml.training.ranked_lists)."""

from search.ml.attributes import Attributes
from search.ml.product_terms import ProductTerms, suits_audience
from search.ml.title_match import OTHER_SHADE_SHARE
from search.ml.vocabulary import BROADER_CATEGORY_NAMED

# A product of the kind and audience asked for, in the colour family asked for but not in the
# very shade ("green" for "olive"): halfway between the kind alone and all that was asked.
FAMILY_ONLY_GAIN = 2 * OTHER_SHADE_SHARE


def relevance(
    query: Attributes,
    product: ProductTerms,
    kind_named: float = 1.0,
    other_kind_named: bool = False,
) -> float:
    """2: the product is what the query names, for its audience, with the query's words that
    narrow that kind, in its very shades; FAMILY_ONLY_GAIN: all that, in the colour families
    but not the shades; 1: only what it names; 0: something else. A product that names no
    audience, or is unisex, suits any. One that only a broader category of its path names as
    the kind asked for (`kind_named`: Vocabulary.kind_named), or that lacks the query's words
    that narrow the kind ("sports shoes" for "casual shoes", a side table for "coffee table":
    a broader kind than asked), is worth BROADER_CATEGORY_NAMED of it, or that share of that;
    one that names another narrower kind instead (`other_kind_named`: "sports shoes" for
    "casual shoes", Vocabulary.names_other_kind) is a kind apart from the one asked, worth that
    share once more."""
    if not query.head or query.head not in product.terms:
        return 0
    share = BROADER_CATEGORY_NAMED if kind_named == BROADER_CATEGORY_NAMED else 1.0
    if not query.modifiers <= product.terms:
        share *= BROADER_CATEGORY_NAMED
    if other_kind_named:
        share *= BROADER_CATEGORY_NAMED
    if not suits_audience(query.gender, product.genders) or not query.colours <= product.terms:
        return share
    return share * (2 if query.shades <= product.shades else FAMILY_ONLY_GAIN)
