"""What a product's words say about it, learned from the catalogue it is in.

Shoppers search by what a product is (its kind: "kurta", "sofa", "charger"), its colour and,
in some shops, whom it is for. Titles say the same in any order ("Fabindia Men Printed Red
Kurta", "Sneakers, white, leather", "KALLAX Shelf unit, white"), so no word position is
trusted. The kind of a product is the title word that best tells the catalogue's categories
apart (statistics over the catalogue, or over a uniform sample of a large one:
`Vocabulary.learn`), and a category path's own words where the title uses them. A brand can
keep to one category as well as a kind does ("Catwalk" makes shoes): given the text encoder, a
word also counts as a kind by how near its meaning is to its category's name ("heels" to
"shoes", not "catwalk"). Colours come from a general colour lexicon (multi-word colours
included, matched by family: "navy" and "blue" agree), audiences from general English words
for whom a product is for (how a text is read into words: search.ml.words); a catalogue
without audiences simply has none.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np

from search.ml.attributes import Attributes
from search.ml.colour_names import ColourNames, colours_said, learn_colour_names
from search.ml.kindness import Relatedness, learn_kindness
from search.ml.lexicon import colour_families, family_shade, shade
from search.ml.lexicon.wordnet import only_describes, wordnet_adjectives
from search.ml.narrower_kinds import NarrowerKinds, learn_narrower_kinds, words_before
from search.ml.sampled_from import SampledFrom
from search.ml.title_match import TitleMatch
from search.ml.words import AUDIENCES, descriptive, plain_colours_in, stem, words

# A word "many products share" is used by at least one product in this many: it describes a
# kind of product, not one product (a model name, a code), and is not a rarity of the catalogue.
SHARED_BY_ONE_IN = 200
# Titles read and remembered by one vocabulary, at most.
_MAX_READ = 100_000


# A word narrows a kind when more than this share of the products that use it are of that
# kind: most of them ("casual" of shoes, "gloss" of lip products; not "printed", used by many
# kinds alike).
NARROWS_KIND_SHARE = 0.5
# What a word usually names (Vocabulary.usual_kind) is read from this many products using it at
# least: one listing's title is one merchant's whim ("Jogger" as a shoe's model name).
USUAL_KIND_EVIDENCE = 3

# What a product that only a broader category of its path names as the kind asked for is worth
# against one its title or own category names (Vocabulary.kind_named): "Shoes" holds heels and
# sandals beside shoes, and nothing in a catalogue says which of them a shopper's "shoes" wants;
# so even odds.
BROADER_CATEGORY_NAMED = 0.5


@dataclass
class Vocabulary(TitleMatch):
    """A catalogue's words: how many products use each (stemmed), and how well each tells the
    catalogue's kinds of product apart."""

    frequency: Counter[str]  # stemmed word -> products whose title or category uses it
    kindness: dict[str, float]  # stemmed word -> how surely it names one category
    products: int
    # Surface forms as the catalogue writes them, for corrections shown to shoppers.
    spellings: dict[str, str] = field(default_factory=dict)
    # The kinds of product the catalogue has: each product's kind word, and how many have it.
    kinds: Counter[str] = field(default_factory=Counter)
    # The kinds the catalogue sells in several colours: its products of that kind name two
    # colour families or more in their titles, in words that are nothing but colours.
    kinds_in_colours: frozenset[str] = frozenset()
    # The shades its titles name (search.ml.lexicon.shade).
    shades: frozenset[str] = frozenset()
    # Its colour words that begin a name, not a colour ("Red Tape": search.ml.colour_names).
    colour_names: ColourNames = frozenset()
    _read: dict[tuple[str, str], Attributes] = field(default_factory=dict, repr=False)
    # The typo index (search.typos.typo_index), built before a process serves the vocabulary.
    deletes: dict[str, list[str]] | None = field(default=None, repr=False)
    # stemmed word -> the (sorted) rows of the products that use it, in the order learned:
    # which words go together, for completing what a shopper types (search.suggestions).
    postings: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # Each learned product's kind, by its place in `kind_names` (-1: none), in the same order.
    row_kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32), repr=False)
    kind_names: list[str] = field(default_factory=list, repr=False)
    # A category's own name (the last of its path, lowercase) -> how many of its products'
    # titles name each kind (Vocabulary.kind_named).
    titled_kinds: dict[str, Counter[str]] = field(default_factory=dict, repr=False)
    # The words that narrow a kind into kinds of their own, as its titles write them right
    # before it ("casual" and "sports" of "shoe"), and which name other kinds than each.
    narrower_kinds: NarrowerKinds = field(default_factory=dict, repr=False)

    @classmethod
    def learn(
        cls,
        titles: Sequence[str],
        categories: Sequence[str],
        relatedness: Relatedness | None = None,
        *,
        sampled_from: SampledFrom | None = None,
    ) -> "Vocabulary":
        """Statistics over the catalogue's titles and category paths ("A > B > Leaf"); with
        `relatedness`, a word's kindness is weighed by its meaning's nearness to its
        commonest category's name.

        With `sampled_from`, the titles are a uniform sample of that catalogue: the statistics
        are the sample's, each word's product count is scaled to the catalogue, and every word
        of the catalogue is known (a word no sampled product uses, as used by one product), so
        that no rare word of it is ever taken for a typo."""
        frequency: Counter[str] = Counter()
        rows: dict[str, list[int]] = defaultdict(list)
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        by_leaf: dict[str, Counter[str]] = defaultdict(Counter)
        categorised: Counter[str] = Counter()
        for row, (title, category) in enumerate(zip(titles, categories, strict=True)):
            tokens = words(f"{title} {category}")
            for token in tokens:
                spellings[stem(token)][token] += 1
            used = {stem(token) for token in tokens}
            frequency.update(used)
            for word in used:
                rows[word].append(row)
            leaf = _leaf(category)
            if leaf:
                described = {stem(token) for token in descriptive(words(title))}
                categorised.update(described)
                by_leaf[leaf].update(described)
        spelled = {word: forms.most_common(1)[0][0] for word, forms in spellings.items()}
        kindness = learn_kindness(by_leaf, categorised, spelled, relatedness)
        # A word English knows only as describing ("printed", "casual") names no kind of
        # product, however much one category's titles use it ("Women Blue Printed Kurti").
        kindness = {
            word: 0.0 if only_describes(spelled.get(word, word)) else value
            for word, value in kindness.items()
        }
        products = len(titles)
        if sampled_from is not None:
            frequency = sampled_from.scaled(frequency, spelled, products)
            products = sampled_from.products
        vocabulary = cls(
            frequency=frequency,
            kindness=kindness,
            products=products,
            spellings=spelled,
            colour_names=learn_colour_names(
                [words(title) for title in titles], USUAL_KIND_EVIDENCE, NARROWS_KIND_SHARE
            ),
            postings={word: np.array(found, dtype=np.int32) for word, found in rows.items()},
        )
        # Each product read once here; queries then find their candidates' titles read.
        colours_of_kind: defaultdict[str, set[str]] = defaultdict(set)
        shades: set[str] = set()
        kind_ids: dict[str, int] = {}
        row_kinds = np.full(len(titles), -1, dtype=np.int32)
        titled_kinds: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # (kind, word written right before it) -> the categories of the products writing it
        compounds: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for row, (title, category) in enumerate(zip(titles, categories, strict=True)):
            read = vocabulary.attributes(title, category)
            shades |= read.shades
            if read.head:
                vocabulary.kinds[read.head] += 1
                leaf = _leaf(category)
                if leaf:
                    titled_kinds[leaf][read.head] += 1
                tokens = words(title)
                for word in words_before(read.head, (tokens, words(leaf))):
                    compounds[read.head, word][leaf] += 1
                colours_of_kind[read.head] |= plain_colours_in(tokens)
                row_kinds[row] = kind_ids.setdefault(read.head, len(kind_ids))
        vocabulary.row_kinds, vocabulary.kind_names = row_kinds, list(kind_ids)
        vocabulary.kinds_in_colours = frozenset(
            kind for kind, colours in colours_of_kind.items() if len(colours) >= 2
        )
        vocabulary.shades = frozenset(shades)
        vocabulary.titled_kinds = dict(titled_kinds)
        vocabulary.narrower_kinds = learn_narrower_kinds(
            compounds,
            lambda kind, word: vocabulary.kind_share(word, kind) > NARROWS_KIND_SHARE,
            lambda kind, word: _of_kind(vocabulary.postings.get(word), row_kinds, kind_ids[kind]),
            vocabulary.kinds,
            spelled,
            USUAL_KIND_EVIDENCE,
        )
        return vocabulary

    def __getstate__(self) -> dict:
        # Shared pickled (search.catalogue_vocabulary) without what each process builds for
        # itself as it reads: its titles read and its typo index would make it many times larger.
        # The postings go as one array: thousands of small ones took 100 ms to unpickle.
        found = list(self.postings.values())
        rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int32)
        ends = np.cumsum([len(rows) for rows in found], dtype=np.int64)
        postings = (list(self.postings), rows, ends)
        return {**self.__dict__, "_read": {}, "deletes": None, "postings": postings}

    def __setstate__(self, state: dict) -> None:
        words, rows, ends = state["postings"]
        starts = np.concatenate([[0], ends])[:-1].astype(np.int64)
        state["postings"] = {
            word: rows[start:end] for word, start, end in zip(words, starts, ends, strict=True)
        }
        # Shared by a process of an older release.
        state.setdefault("shades", frozenset())
        state.setdefault("row_kinds", np.zeros(0, dtype=np.int32))
        state.setdefault("kind_names", [])
        state.setdefault("titled_kinds", {})
        state.setdefault("narrower_kinds", {})
        self.__dict__.update(state)

    def knows(self, word: str) -> bool:
        return stem(word) in self.frequency

    def shared(self, word: str) -> bool:
        """Whether many products use the word: at least one in SHARED_BY_ONE_IN (and two)."""
        return self.frequency.get(stem(word), 0) >= max(2, self.products // SHARED_BY_ONE_IN)

    def kind(self, tokens: Sequence[str], category: str = "") -> str:
        """The stemmed word among `tokens` that says what the product (or a query) is: one its
        category path uses, else the one that best tells categories apart, else the one most
        products use (a catalogue without categories)."""
        candidates = [stem(token) for token in descriptive(tokens)]
        if not candidates:
            return ""
        in_category = _category_words(category)
        named = [word for word in candidates if word in in_category]
        pool = named or candidates
        # Later words win ties: kinds are more often named after what describes them.
        return max(
            reversed(pool),
            key=lambda word: (self.kindness.get(word, 0.0), self.frequency.get(word, 0)),
        )

    def calls_products_by(self, word: str) -> bool:
        """Whether some title's kind or some category's name is `word` (stemmed)."""
        return bool(self.kinds.get(word)) or word in self._category_names

    def attributes(self, text: str, category: str = "") -> Attributes:
        # A query compares its words with some 150 candidates' titles, most met before:
        # each title is read once per vocabulary.
        key = (text, category)
        found = self._read.get(key)
        if found is None:
            tokens = words(text)
            # Whom a product is for may be said only by its category ("Men > Shoes").
            audiences = [AUDIENCES[token] for token in tokens if token in AUDIENCES] or [
                AUDIENCES[token] for token in words(category) if token in AUDIENCES
            ]
            said = [phrase for _, _, phrase in colours_said(tokens, self.colour_names)]
            found = Attributes(
                head=self.kind(tokens, category),
                colours=frozenset(colour_families()[phrase] for phrase in said),
                gender=audiences[0] if audiences else "",
                shades=frozenset(map(shade, said)),
            )
            if len(self._read) < _MAX_READ:
                self._read[key] = found
        return found

    def kind_share(self, word: str, kind: str) -> float:
        """The share of the products using `word` whose kind is `kind` (0 for words it does not
        know): how surely the word narrows that kind ("gloss" of lip products)."""
        counts, users = self._users_by_kind(word)
        if not users or kind not in self.kind_names:
            return 0.0
        return float(counts[self.kind_names.index(kind)] / users)

    def names_kind(self, word: str) -> bool:
        """Whether the catalogue calls products by `word` (stemmed): its name for a category,
        or the kind of at least USUAL_KIND_EVIDENCE of its titles, or of most of those that use
        it. A word that one listing's title is named by, among many that use it otherwise
        ("Denim" of a deodorant's brand, beside denim shorts and shirts), is no kind the shop
        sells by that name."""
        named = self.kinds.get(word, 0)
        return (
            named >= USUAL_KIND_EVIDENCE
            or named > NARROWS_KIND_SHARE * self.frequency.get(word, 0)
            or word in self._category_names
        )

    @cached_property
    def _category_names(self) -> frozenset[str]:
        """The stemmed words of the catalogue's categories' own names ("armchair" of
        "Furniture > Armchairs")."""
        return frozenset().union(*map(_category_words, self.titled_kinds))

    def usual_kind(self, word: str) -> str:
        """The kind that most of the products using `word` are, where the catalogue seldom
        calls a product by the word itself: "tee" in a shop whose T-shirts' titles say "Tee
        Black T-shirt", "trainer" in one that lists trainers as "sports shoes". "" where no kind
        holds more than NARROWS_KIND_SHARE of them, where the word names more products than
        that kind among them, or where fewer than USUAL_KIND_EVIDENCE products use it."""
        counts, users = self._users_by_kind(word)
        if users < USUAL_KIND_EVIDENCE or not counts.any():
            return ""
        usual = int(counts.argmax())
        kind, stemmed = self.kind_names[usual], stem(word)
        if (
            kind == stemmed
            or counts[usual] <= NARROWS_KIND_SHARE * users
            or self.kinds.get(stemmed, 0) >= counts[usual]
        ):
            return ""
        return kind

    def _users_by_kind(self, word: str) -> tuple[np.ndarray, int]:
        """How many of the products using `word` are of each kind (by place in `kind_names`),
        and how many use it."""
        rows = self.postings.get(stem(word))
        if rows is None or not len(rows):
            return np.zeros(len(self.kind_names), dtype=np.int64), 0
        kinds = self.row_kinds[rows]
        return np.bincount(kinds[kinds >= 0], minlength=len(self.kind_names)), len(rows)

    def wanted(self, query: str, kinds: Sequence[str] = ()) -> Attributes:
        """What a shopper's query asks of a product: its attributes, its kind named by `kinds`
        where reading the query found them (search.query_words.QueryWords.kinds: the first is
        its head); the words that narrow its kind ("casual" of "casual shoes"); and a shade
        that none of the catalogue's titles names taken as its family's own ("jet black" as
        "black"), since no product can be in the very shade and the catalogue's plain family
        word is nearest."""
        read = self.attributes(query)
        if kinds:
            read = replace(read, head=stem(kinds[0]), kinds=frozenset(map(stem, kinds)))
        shades = frozenset(
            shade if shade in self.shades else family_shade(shade) for shade in read.shades
        )
        modifiers: set[str] = set()
        for token in descriptive(words(query)):
            if stem(token) in read.kind_words:
                continue
            if self.kind_share(token, read.head) > NARROWS_KIND_SHARE:
                modifiers.add(stem(token))
            else:
                modifiers |= self._narrowing_alike(token, read.head)
        return replace(read, shades=shades, modifiers=frozenset(modifiers))

    def _narrowing_alike(self, word: str, kind: str) -> set[str]:
        """The catalogue's words that narrow `kind` and say what `word` says to English
        (WordNet's adjectives: "everyday" shoes are "casual" ones, "dress" shoes "formal")."""
        return {
            stem(alike)
            for meaning in wordnet_adjectives().meanings(word)
            for alike in meaning
            if alike.isalpha()
            and alike != word
            and self.kind_share(alike, kind) > NARROWS_KIND_SHARE
        }

    def kind_named(self, kinds: Collection[str], title: str, category: str) -> float:
        """How surely a product is, by its own words, what `kinds` (a query's words for the
        kind it asks for) name: 1 where its title's kind or its category's own name (the last
        of its path) is one of them; BROADER_CATEGORY_NAMED where only a broader category of
        its path is ("Heeled sandals" in "Women > Shoes > Heels", for "shoes"), or where its
        category's name is one but its title names a narrower kind of it (narrower_in_category);
        else 0. Words elsewhere in a title (a brand called "Denim", "shirt" in "shirt dress")
        do not count."""
        kinds = set(kinds) - {""}
        if not kinds:
            return 0.0
        head = self.attributes(title, category).head
        if head in kinds:
            return 1.0
        leaf = _leaf(category)
        if named := _category_words(leaf) & kinds:
            return BROADER_CATEGORY_NAMED if self.narrower_in_category(head, leaf, named) else 1.0
        return BROADER_CATEGORY_NAMED if _category_words(category) & kinds else 0.0

    def narrower_in_category(self, head: str, leaf: str, kinds: Collection[str]) -> bool:
        """Whether a title that names the kind `head`, in the category `leaf` whose name says
        `kinds`, names a narrower kind than the category's: most of the category's titles name
        one of `kinds` itself (at least USUAL_KIND_EVIDENCE: "Heels" among the casual and
        sports shoes of "Footwear > Shoes"), and `head` is no compound of it ("Wristwatch" in
        "Watches", "Handbag" in "Bags"). Where the category's titles name it otherwise ("Sari"
        in "Saree"), the category's name is the catalogue's word for them all."""
        if not head or any(head.endswith(kind) for kind in kinds):
            return False
        titled = self.titled_kinds.get(leaf, Counter())
        named = sum(titled.get(kind, 0) for kind in kinds)
        return named >= USUAL_KIND_EVIDENCE and 2 * named > sum(titled.values())


def _of_kind(rows: np.ndarray | None, row_kinds: np.ndarray, kind: int) -> np.ndarray:
    """Those of `rows` (a word's postings) whose product is of the kind numbered `kind`."""
    return np.zeros(0, dtype=np.int32) if rows is None else rows[row_kinds[rows] == kind]


def _leaf(category: str) -> str:
    """A category path's own name, the last of it, lowercase: "shoes" of "Footwear > Shoes"."""
    return category.rsplit(">", 1)[-1].strip().lower()


@lru_cache(maxsize=4096)
def _category_words(category: str) -> frozenset[str]:
    return frozenset(stem(word) for word in words(category))
