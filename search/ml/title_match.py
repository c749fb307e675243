"""What a product's own words say of a shopper's text query, as the match head reads them
(search.ml.vocabulary.Vocabulary mixes these in)."""

from search.ml.attributes import Attributes
from search.ml.narrower_kinds import NarrowerKinds
from search.ml.product_terms import ProductTerms, suits_audience
from search.ml.words import UNISEX

# How many values TitleMatch.title_match gives a product for a query, and where each lies.
TITLE_MATCHES = 4
KIND_NAMED, COLOURS_NAMED, NARROWING_NAMED, AUDIENCE_NAMED = range(TITLE_MATCHES)
# What a product in another shade of the colour family asked for ("green" for "olive") is worth
# against one in the very shade: three quarters, as the training labels count it
# (search.ml.training.labels).
OTHER_SHADE_SHARE = 0.75


class TitleMatch:
    """A query against a product's words, by the catalogue's vocabulary: mixed into
    search.ml.vocabulary.Vocabulary, whose `attributes`, `kind_named` and `narrower_kinds` it
    reads."""

    narrower_kinds: NarrowerKinds

    def title_match(
        self, query: Attributes, title: str, category: str
    ) -> tuple[float, float, float, float]:
        """What a product's own words say of a text query (TITLE_MATCHES values): how surely
        they name its kind, by any of the catalogue's words for it (kind_named); its colours: 1 for
        the very colour families, 0.5 for those among others ("Blue & Black" for a blue query),
        each OTHER_SHADE_SHARE of that in another shade of them ("Green" for an olive query), 0
        for others or none; the share of the query's words that narrow its kind that they use
        ("casual" of "casual shoes"), -1 where they use none but name another narrower kind
        ("sports shoes": names_other_kind); and, for a query that asks for an audience, 1 where they
        name that audience or "unisex", -1 where they name only others ("Men > Shoes" for
        "women's sneakers"), 0 where none.

        The very shade lowers the colours' value rather than being a value of its own: as one
        it doubled the colours' weight against the kind's, and a small shop's head learned to
        show other things in the colour before the kind in others (home goods' "black mug"
        gave black clocks before white mugs)."""
        colours = 0.0
        named = self.attributes(title, category)
        if query.colours and query.colours <= named.colours:
            colours = 1.0 if query.colours == named.colours else 0.5
            if not query.shades <= named.shades:
                colours *= OTHER_SHADE_SHARE
        product = ProductTerms.of(title, category)
        modifiers = 0.0
        if query.modifiers:
            modifiers = len(query.modifiers & product.terms) / len(query.modifiers)
            if self.names_other_kind(query, product.terms):
                modifiers = -1.0
        audience = 0.0
        if query.gender not in ("", UNISEX) and product.genders:
            audience = 1.0 if suits_audience(query.gender, product.genders) else -1.0
        noun = self.kind_named(query.kind_words, title, category)
        return noun, colours, modifiers, audience

    def names_other_kind(self, query: Attributes, terms: frozenset[str]) -> bool:
        """Whether a product whose stemmed words are `terms` names, instead of the query's words
        that narrow the kind it asks for, another narrower kind of it: "sports shoes" for
        "casual shoes" (search.ml.narrower_kinds). A product that names none ("Puma Black
        Shoe") may be either; one that names a word its kind uses beside the query's ("slim
        fit" beside "checked" shirts) is no other kind."""
        if not query.modifiers or query.modifiers & terms:
            return False
        return any(
            self.narrower_kinds.get(kind, {}).get(asked, frozenset()) & terms
            for kind in query.kind_words
            for asked in query.modifiers
        )
