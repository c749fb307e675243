"""What a title or a shopper's query states about a product (search.ml.vocabulary reads it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Attributes:
    """What a title or a query states: its kind, colour families and audience (each may be
    empty), the very shades of those colours, and for a query (Vocabulary.wanted) its words
    that narrow the kind it asks for ("casual" in "casual shoes")."""

    head: str
    colours: frozenset[str]
    gender: str
    shades: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()
    # For a query: the stemmed words of the catalogue's that name its kind, where reading the
    # query found several (its head among them); a product named by any of them is that kind.
    kinds: frozenset[str] = frozenset()

    @property
    def kind_words(self) -> frozenset[str]:
        """Every stemmed word that names the kind asked for: the head and `kinds`."""
        return self.kinds | {self.head}
