"""Ranked lists to train and measure the match head on, built from the catalogue.

Each list is one pseudo-query (a shopper-like text from a product's title, a product's photo, or
its photo with a colour asked for) with the candidates retrieval would give it (hard negatives
included) and each candidate's relevance, read from its own title. Some products play "sparse":
their text is hidden from the head, so that it learns to rank a product by its photo alone.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search import retrieval
from search.ml.attributes import Attributes
from search.ml.title_match import KIND_NAMED, NARROWING_NAMED, TITLE_MATCHES
from search.ml.training.catalogue import CatalogueSnapshot
from search.ml.training.labels import relevance
from search.ml.training.photo_readers import PhotoReaders
from search.ml.training.pseudo_queries import TextQuery, pseudo_query

# As many per source as search takes (search.retrieval), so that the head learns on lists
# like those it will rank.
CANDIDATES_PER_SOURCE = retrieval.CANDIDATES_PER_SOURCE
LIST_LENGTH = 160
# A colour that fewer products of a kind name is not offered as a refinement of it.
MIN_PRODUCTS_PER_COLOUR = 3


@dataclass
class RankedLists:
    """L lists of up to LIST_LENGTH candidates (index -1 pads)."""

    query_text: np.ndarray  # (L, d), zero for photo queries
    query_photo: np.ndarray  # (L, d), zero for text queries
    candidates: np.ndarray  # (L, LIST_LENGTH) snapshot rows
    gains: np.ndarray  # (L, LIST_LENGTH) search.ml.training.labels.relevance: 0 to 2
    keyword_rank: np.ndarray  # (L, LIST_LENGTH)
    title_match: np.ndarray  # (L, LIST_LENGTH, TITLE_MATCHES) vocabulary.title_match
    attribute_agreement: np.ndarray  # (L, LIST_LENGTH, 3) for photo queries, else 0
    image_similarity: np.ndarray  # (L, LIST_LENGTH)
    colour_similarity: np.ndarray  # (L, LIST_LENGTH)
    text_hidden: np.ndarray  # (L, LIST_LENGTH) bool: the candidate plays sparse

    def __len__(self) -> int:
        return len(self.candidates)

    def subset(self, rows: np.ndarray) -> "RankedLists":
        return RankedLists(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))

    def copy(self) -> "RankedLists":
        return self.subset(np.arange(len(self)))

    def lose_words_in_common(self, rows: np.ndarray) -> None:
        """The lists where `rows` (L,) is true lose the signals of words they share with their
        products (keyword rank, the kind named in the title), as a shopper's query does whose
        words are not the catalogue's. Colour words are the same for every shopper: kept."""
        kept = ~rows[:, None]
        self.keyword_rank = self.keyword_rank * kept
        self.title_match[..., KIND_NAMED] *= kept
        self.title_match[..., NARROWING_NAMED] *= kept

    @classmethod
    def concatenate(cls, *parts: "RankedLists") -> "RankedLists":
        return cls(
            *(
                np.concatenate([getattr(part, name) for part in parts])
                for name in cls.__dataclass_fields__
            )
        )


def text_query_lists(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    queries: list[TextQuery],
    encode_texts: Callable[[list[str]], np.ndarray],
    keyword_ranks: Callable[[list[str], np.ndarray], np.ndarray],
    plays_sparse: np.ndarray,
    photos: PhotoReaders | None = None,
) -> RankedLists:
    """A ranked list for each text query; a product a shopper chose counts as fully relevant.
    `photos` reads what candidates' words leave unsaid, those playing sparse included."""
    vocabulary = snapshot.vocabulary
    vectors = encode_texts([query.text for query in queries])
    lists = []
    for query, vector in zip(queries, vectors, strict=True):
        candidates = _retrieved(
            snapshot, photo_vectors, plays_sparse, vector, vector, include=query.clicked
        )
        lists.append((vector, np.zeros_like(vector), candidates, vocabulary.wanted(query.text)))
    ranked = _assemble(lists, snapshot, plays_sparse, image_query=None)
    for row, query in enumerate(queries):
        if query.clicked is not None:
            ranked.gains[row][ranked.candidates[row] == query.clicked] = 2
    _add_text_signals(ranked, [query.text for query in queries], snapshot, keyword_ranks, photos)
    return ranked


def without_what_they_ask_for(lists: RankedLists) -> RankedLists:
    """The same lists with every candidate of the kind each asks for taken out: queries for what
    the catalogue lacks, whose candidates are all neighbours."""
    lacking = lists.copy()
    asked = lacking.gains > 0
    lacking.candidates[asked] = -1
    for name in ("gains", "keyword_rank", "image_similarity", "colour_similarity"):
        getattr(lacking, name)[asked] = 0
    lacking.title_match[asked] = 0
    lacking.attribute_agreement[asked] = 0
    lacking.text_hidden[asked] = False
    return lacking


def pseudo_text_queries(
    snapshot: CatalogueSnapshot, sources: list[int], rng: random.Random
) -> list[TextQuery]:
    """A shopper-like query from the title of each product in `sources`."""
    texts = (
        pseudo_query(snapshot.titles[i], snapshot.categories[i], snapshot.vocabulary, rng)
        for i in sources
    )
    return [TextQuery(text) for text in texts if text]


def photo_query_lists(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    sources: list[int],
    plays_sparse: np.ndarray,
    attribute_agreement: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> RankedLists:
    """Each product in `sources` asks, by its photo, for the others like it;
    `attribute_agreement(query row, candidate rows)` gives attribute_classifier.agreement."""
    lists = []
    for i in sources:
        query_photo = photo_vectors[i]
        # A photo-only query finds products by their text through its mapped photo.
        candidates = _retrieved(
            snapshot, photo_vectors, plays_sparse, query_photo, query_photo, exclude=i
        )
        # "Like this": its kind, colour families and audience; a photo shows no brand, and
        # tells a shade from its family's others too unsurely to ask for it.
        own = snapshot.attributes(i)
        wanted = Attributes(own.head, own.colours, own.gender)
        lists.append((np.zeros_like(query_photo), query_photo, candidates, wanted))
    ranked = _assemble(lists, snapshot, plays_sparse, image_query=np.array(sources))
    _add_photo_agreement(ranked, sources, attribute_agreement)
    return ranked


# What a shopper types beside a photo to ask for the same thing in another colour.
_COLOUR_REFINEMENTS = ("{}", "in {}", "but in {}", "same in {}")


def refined_photo_query_lists(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    sources: list[int],
    plays_sparse: np.ndarray,
    encode_texts: Callable[[list[str]], np.ndarray],
    keyword_ranks: Callable[[list[str], np.ndarray], np.ndarray],
    rng: random.Random,
    attribute_agreement: Callable[[int, np.ndarray], np.ndarray] | None = None,
    photos: PhotoReaders | None = None,
) -> RankedLists:
    """Each product in `sources` asks, by its photo and a few words, for the same kind of thing
    in another colour that the catalogue has it in: "like this, but in black"."""
    colours_by_noun = _colours_by_noun(snapshot)
    asked, texts, wanted_by_query = [], [], []
    for i in sources:
        own = snapshot.attributes(i)
        others = sorted(colours_by_noun.get(own.head, set()) - own.colours)
        if others:
            colour = rng.choice(others)
            asked.append(i)
            texts.append(rng.choice(_COLOUR_REFINEMENTS).format(colour))
            wanted_by_query.append(Attributes(own.head, frozenset({colour}), own.gender))
    if not asked:
        return _assemble([], snapshot, plays_sparse, image_query=np.array([], dtype=int))
    lists = []
    for i, text_vector, wanted in zip(asked, encode_texts(texts), wanted_by_query, strict=True):
        # Words and photo together against the products' photos, as search.selectors has it.
        combined = text_vector + photo_vectors[i]
        combined = combined / np.linalg.norm(combined)
        candidates = _retrieved(
            snapshot, photo_vectors, plays_sparse, text_vector, combined, exclude=i
        )
        lists.append((text_vector, photo_vectors[i], candidates, wanted))
    ranked = _assemble(lists, snapshot, plays_sparse, image_query=np.array(asked))
    _add_text_signals(ranked, texts, snapshot, keyword_ranks, photos)
    _add_photo_agreement(ranked, asked, attribute_agreement)
    return ranked


def _colours_by_noun(snapshot: CatalogueSnapshot) -> dict[str, set[str]]:
    """The single colours that products' titles give each head noun, where at least
    MIN_PRODUCTS_PER_COLOUR products do."""
    counts = Counter()
    for i in range(len(snapshot)):
        named = snapshot.attributes(i)
        if named.head and len(named.colours) == 1:
            counts[named.head, next(iter(named.colours))] += 1
    colours: dict[str, set[str]] = {}
    for (noun, colour), count in counts.items():
        if count >= MIN_PRODUCTS_PER_COLOUR:
            colours.setdefault(noun, set()).add(colour)
    return colours


def _add_text_signals(
    ranked: RankedLists,
    texts: list[str],
    snapshot: CatalogueSnapshot,
    keyword_ranks: Callable[[list[str], np.ndarray], np.ndarray],
    photos: PhotoReaders | None,
) -> None:
    """Each list's keyword ranks and title matches for its query's words; products playing
    sparse have neither words nor keywords, only what their photos show (PhotoReaders)."""
    ranked.keyword_rank = keyword_ranks(texts, ranked.candidates)
    ranked.keyword_rank[ranked.text_hidden] = 0
    vocabulary = snapshot.vocabulary
    for row, text in enumerate(texts):
        wanted = vocabulary.wanted(text)
        for slot, i in enumerate(ranked.candidates[row]):
            if i >= 0 and not ranked.text_hidden[row, slot]:
                ranked.title_match[row, slot] = vocabulary.title_match(
                    wanted, snapshot.titles[i], snapshot.categories[i]
                )
        if photos is not None:
            photos.read(
                snapshot,
                wanted,
                ranked.candidates[row],
                ranked.text_hidden[row],
                ranked.title_match[row],
                ranked.gains[row],
            )


def _add_photo_agreement(
    ranked: RankedLists,
    query_rows: list[int],
    attribute_agreement: Callable[[int, np.ndarray], np.ndarray] | None,
) -> None:
    if attribute_agreement is None:
        return
    for row, i in enumerate(query_rows):
        found = ranked.candidates[row][ranked.candidates[row] >= 0]
        ranked.attribute_agreement[row, : len(found)] = attribute_agreement(i, found)


def _retrieved(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    plays_sparse: np.ndarray,
    text_query: np.ndarray,
    photo_query: np.ndarray,
    exclude: int = -1,
    include: int | None = None,
) -> np.ndarray:
    """The candidates search.retrieval would give, by its vector sources: `text_query` against
    the products' text, `photo_query` against their photos, and against the photos of those
    playing sparse alone. Their union among products with text (only those have labels), best
    first, cut to LIST_LENGTH; `include` first when given."""
    photo_scores = photo_vectors @ photo_query
    scores = [
        snapshot.text @ text_query,
        photo_scores,
        np.where(plays_sparse, photo_scores, -np.inf),
    ]
    chosen: dict[int, None] = {} if include is None else {include: None}
    for score in scores:
        score = np.where(snapshot.has_text, score, -np.inf)
        if exclude >= 0:
            score[exclude] = -np.inf
        wanted = min(CANDIDATES_PER_SOURCE, len(score) - 1)
        top = np.argpartition(-score, wanted)[:wanted]
        top = top[np.isfinite(score[top])]
        chosen.update(dict.fromkeys(top[np.argsort(-score[top])].tolist()))
    return np.array(list(chosen)[:LIST_LENGTH])


def _assemble(lists, snapshot, plays_sparse, image_query) -> RankedLists:
    count = len(lists)
    candidates = np.full((count, LIST_LENGTH), -1, dtype=np.int64)
    gains = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    image_similarity = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    colour_similarity = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    images = snapshot.image_normalised if image_query is not None else None
    vocabulary = snapshot.vocabulary
    for row, (_, _, found, wanted) in enumerate(lists):
        candidates[row, : len(found)] = found
        gains[row, : len(found)] = [
            relevance(
                wanted,
                snapshot.terms[i],
                snapshot.kind_named(wanted, i),
                vocabulary.names_other_kind(wanted, snapshot.terms[i].terms),
            )
            for i in found
        ]
        if images is not None:
            query = image_query[row]
            image_similarity[row, : len(found)] = images[found] @ images[query]
            colour_similarity[row, : len(found)] = snapshot.colour[found] @ snapshot.colour[query]
    width = snapshot.text.shape[1]  # photos are compared in the text space too
    return RankedLists(
        query_text=np.array([entry[0] for entry in lists], dtype=np.float32).reshape(count, width),
        query_photo=np.array([entry[1] for entry in lists], dtype=np.float32).reshape(count, width),
        candidates=candidates,
        gains=gains,
        keyword_rank=np.zeros((count, LIST_LENGTH), dtype=np.float32),
        title_match=np.zeros((count, LIST_LENGTH, TITLE_MATCHES), dtype=np.float32),
        attribute_agreement=np.zeros((count, LIST_LENGTH, 3), dtype=np.float32),
        image_similarity=image_similarity,
        colour_similarity=colour_similarity,
        text_hidden=(candidates >= 0) & plays_sparse[np.maximum(candidates, 0)],
    )
