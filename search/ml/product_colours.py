"""A product's colours as its own listing states them, in the colour lexicon's families
(search.ml.lexicon: "navy" is blue, "charcoal" grey): what the colour facet counts and filters.

Read once, when the product is indexed (search.indexing), so that no search reads text:

- its title's colours, but for a colour word that begins a name in the catalogue's titles
  ("Red Tape": search.ml.colour_names). A word that is nothing but a colour always counts;
  one that is as often a food, a wood or a metal (lexicon.NOUN_COLOURS: "olive", "walnut",
  "gold") counts only with a second sign, as the lexicon advises: a word beside it that says
  it is a colour ("walnut finish", "gold tone", "colour: olive"), or a kind of product that
  the catalogue sells in several colours (its "Oak coffee table" beside "White coffee table"
  and "Black coffee table"; not its "Olive oil", nor its "Walnut halves");
- its variants' colours, from an option whose name says it holds colours ("colour", "frame
  colour", "finish"): the merchant has said so, whatever the word;
- its description's colours where the description labels them ("Colour: navy, white"): prose
  also names the colours of other things ("pairs well with white sneakers").

A photo's colours (search.ml.colour) are not read: its hue bins are 30 degrees wide, so dark
brown (walnut) shares a bin with dark red and maroon, and light oak one with khaki and pale
yellows; no family can be told from them without a rule of its own. A listing whose words name
no colour has none.

Which kinds the catalogue sells in colours is learned with its vocabulary; a product's stored
colours follow a change there when the product is next indexed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from search.ml.colour_names import colours_said
from search.ml.lexicon import NOUN_COLOURS, colour_families, find_colours
from search.ml.vocabulary import Vocabulary
from search.ml.words import words

# Words that say the colour beside them is one ("Colour: navy", "walnut finish", "gold tone"),
# and that name an option holding colours ("colour", "frame colour", "finish").
COLOUR_LABELS = frozenset(
    """colour color colours colors coloured colored colourway colorway shade shades finish
    tone toned effect""".split()
)


@dataclass(frozen=True)
class Listing:
    """What a product's merchant wrote that may name its colours."""

    title: str
    category: str = ""  # the full path, "Furniture > Tables"
    description: str = ""
    options: Sequence[Mapping[str, str]] = field(default_factory=tuple)  # each variant's

    @classmethod
    def of(cls, product) -> "Listing":
        """A catalog.models.Product's (or a migration's model of it), with its category
        selected and its variants prefetched."""
        return cls(
            title=product.title,
            category=product.category.full_name if product.category else "",
            description=product.description,
            options=[variant.options for variant in product.variants.all()],
        )


def product_colours(listing: Listing, vocabulary: Vocabulary) -> list[str]:
    """The listing's colour families, sorted (search.ml.lexicon.FAMILIES)."""
    families = colour_families()
    phrases = _title_colours(listing, vocabulary) + _labelled(words(listing.description))
    for options in listing.options:
        for name, value in options.items():
            if COLOUR_LABELS.intersection(words(name)):
                phrases.extend(phrase for _, _, phrase in find_colours(words(value)))
    return sorted({families[phrase] for phrase in phrases})


def _title_colours(listing: Listing, vocabulary: Vocabulary) -> list[str]:
    tokens = words(listing.title)
    found = colours_said(tokens, vocabulary.colour_names)  # not "Red Tape"'s red
    if not found:
        return []
    kind = vocabulary.attributes(listing.title, listing.category).head
    sold_in_colours = kind in vocabulary.kinds_in_colours
    labelled = set(_labelled(tokens))
    return [
        phrase
        for _, _, phrase in found
        if phrase not in NOUN_COLOURS or sold_in_colours or phrase in labelled
    ]


def _labelled(tokens: Sequence[str]) -> list[str]:
    """The colours that a label names: the one just before or after it ("walnut finish"), and
    those listed right after it ("Colours: navy, white")."""
    labelled = []
    listed_to = -1  # where the colours listed after a label have reached
    for start, end, phrase in find_colours(tokens):
        after_label = start > 0 and (tokens[start - 1] in COLOUR_LABELS or start == listed_to)
        if after_label:
            listed_to = end
        if after_label or (end < len(tokens) and tokens[end] in COLOUR_LABELS):
            labelled.append(phrase)
    return labelled
