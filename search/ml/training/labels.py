"""What each candidate of a training query is worth: the gains the match head learns to order
by (search.ml.training.ranked_lists)."""

from search.ml.vocabulary import OTHER_SHADE_SHARE, Attributes, ProductTerms, suits_audience

# A product of the kind and audience asked for, in the colour family asked for but not in the
# very shade ("green" for "olive"): halfway between the kind alone and all that was asked.
FAMILY_ONLY_GAIN = 2 * OTHER_SHADE_SHARE


def relevance(query: Attributes, product: ProductTerms) -> float:
    """2: the product is what the query names, for its audience, with the query's words that
    narrow that kind, in its very shades; FAMILY_ONLY_GAIN: all that, in the colour families
    but not the shades; 1: only what it names; 0: something else. A product that names no
    audience, or is unisex, suits any."""
    if not query.head or query.head not in product.terms:
        return 0
    if (
        not suits_audience(query.gender, product.genders)
        or not (query.modifiers | query.colours) <= product.terms
    ):
        return 1
    return 2 if query.shades <= product.shades else FAMILY_ONLY_GAIN
