"""The search service: a text, photo or text+photo query in, ranked products out.

encode the query (models loaded once per process)
-> candidates from the HNSW indexes and full-text search, filtered (search.retrieval)
-> scored by the active match head, or by reciprocal rank fusion before one is trained
-> the page asked for, with why each product matched

Degraded, not down: while the encoder cannot load, a query with words is answered from the
keyword documents alone, and while the match head cannot load, by fusing the sources' ranks;
either way the answer carries a notice.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

import numpy as np
from django.db.models import QuerySet
from PIL import Image

from catalog.models import Product
from core.replicas import replica_reads
from search.candidate_features import QueryVectors, head_inputs
from search.candidate_statement import KEYWORD_MATCHES_RANKED
from search.catalogue_vocabulary import catalogue_vocabulary
from search.facets import Facets, facets_of, sorted_ids
from search.filters import Filters
from search.ml import trained
from search.ml.colour import colour_vector, normalise
from search.ml.encoders import EncoderUnavailable, active_dims, get_encoder
from search.ml.lexicon.wordnet import wordnet_nouns
from search.ml.photo_feedback import refill_wordless_places, with_wordless_share
from search.ml.ranking import reciprocal_rank_fusion
from search.ml.vocabulary import Vocabulary
from search.models import ProductIndex
from search.query_words import QueryWords, most_matches, understand
from search.retrieval import CANDIDATES_PER_SOURCE, Candidates, SourceQuery, retrieve
from search.word_vectors import NearestKindTerms, encoder_relatedness, word_vectors

MAX_LIMIT = 100
# A source explains a match ("why") when it ranked the product among its best this many.
WHY_DEPTH = 20
# The signal each candidate source stands for, as "why" names it.
_SIGNALS = {
    "text": "text",
    "photo": "photo",
    "photo_only": "photo",
    "like_results": "photo",
    "keywords": "keywords",
}


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    photo: Image.Image | None = None
    filters: Filters = field(default_factory=Filters)
    limit: int = 24
    offset: int = 0
    exact: bool = False  # the words as typed: no typo corrected, no term added
    sort: str = "relevance"  # of the matches: search.facets.SORTS


@dataclass
class Hit:
    product: Product
    score: float
    why: list[str]  # the signals that matched: "text", "photo", "keywords"
    # What it is filtered and sorted by: the product's price, or for one with variants the
    # cheapest of those the filters allow, in stock first (search.facets.MatchFacts.price).
    price: Decimal | None = None


@dataclass
class SearchResults:
    hits: list[Hit]
    count: int  # matches found (search.ml.relevance), of which `hits` is the page asked for
    took_ms: float
    words: QueryWords = field(default_factory=lambda: QueryWords(text=""))
    notice: str = ""  # what the shopper should know of a degraded answer
    offset: int = 0  # the first hit's position in the whole ranking
    had_photo: bool = False
    # On the page where the matches end (or have none): the nearest products past them, to
    # fill it, ranked on from the last match.
    related: list[Hit] = field(default_factory=list)
    facets: Facets | None = None  # over all the matches, not only this page's

    @property
    def shown(self) -> list[Hit]:
        """What the page shows, in ranking order from `offset`."""
        return self.hits + self.related


class SearchUnavailable(Exception):
    """The query needs the search model (a photo alone), and it cannot be loaded now."""


KEYWORDS_ONLY_NOTICE = (
    "Search by meaning is unavailable for a moment: these results match your words exactly."
)
FUSED_RANKS_NOTICE = "Results are ranked without the learned ranking for a moment."
PHOTO_UNAVAILABLE = "Search by photo is unavailable for a moment; please try again shortly."


def search(query: SearchQuery) -> SearchResults:
    with replica_reads():  # a search only reads: from a replica where there are some
        return _search(query)


def _search(query: SearchQuery) -> SearchResults:
    started = time.perf_counter()
    try:
        encoder = get_encoder()
    except EncoderUnavailable:
        return _search_by_keywords(query, started)
    vocabulary = catalogue_vocabulary.get(encoder_relatedness(encoder))
    words = understand(
        query.text,
        vocabulary,
        lambda typed: _nearest_kind_terms(encoder)(vocabulary, typed),
        exact=query.exact,
        is_word=encoder.knows_word,
    )
    text = words.for_encoder
    vectors = QueryVectors(text=_query_text_vector(encoder, text) if text else None)
    model = trained.active_model(encoder.version)
    if query.photo is not None:
        image, _ = trained.encode_photos(encoder, model, [query.photo])
        colour = colour_vector(query.photo)[None]
        vectors.photo = trained.photos_to_text_space(encoder, model, image, colour)[0][0]
        vectors.image, vectors.colour = normalise(image[0]), colour[0]
    # Each source is searched as deep as a page of this size needs, whatever the offset: the
    # pages of one query then share one ranking, and never repeat or skip a product.
    ranked = _rank(vectors, words, vocabulary, query.filters, model, encoder.version, query.limit)
    facets = _sorted_with_facets(ranked, query.sort)
    results = _page(ranked, query.limit, query.offset, started)
    results.words, results.had_photo, results.facets = words, query.photo is not None, facets
    if trained.active_model_failed() or (model is not None and model.head is None):
        results.notice = FUSED_RANKS_NOTICE
    return results


def _search_by_keywords(query: SearchQuery, started: float) -> SearchResults:
    """The query's words against the keyword documents (of every encoder version: no vector
    is compared), while the encoder cannot load."""
    if query.photo is not None and not query.text.strip():
        raise SearchUnavailable(PHOTO_UNAVAILABLE)
    words = understand(query.text, catalogue_vocabulary.get(), exact=query.exact)
    dims = active_dims()
    candidates = retrieve(
        SourceQuery(keywords=words.tsquery or None),
        query.filters,
        encoder_version=None,
        dims=(dims.text, dims.image),
        per_source=max(CANDIDATES_PER_SOURCE, query.limit),
    )
    ranked = _fused(candidates)
    facets = _sorted_with_facets(ranked, query.sort)
    results = _page(ranked, query.limit, query.offset, started)
    results.words, results.notice, results.facets = words, KEYWORDS_ONLY_NOTICE, facets
    return results


# Shoppers repeat searches, and a search page and its API call ask for the same words: a query's
# vector is computed once per process while it is among the most recent this many (1.5 KB each).
QUERY_VECTORS_REMEMBERED = 4096


def prepare_query_reading() -> None:
    """Work out what reading a shopper's words may need, so that no shopper waits for it:
    the catalogue's vocabulary and the nearest kinds of words it does not use (warm-up)."""
    encoder = get_encoder()
    wordnet_nouns()
    _nearest_kind_terms(encoder).prepare(catalogue_vocabulary.get(encoder_relatedness(encoder)))


@lru_cache(maxsize=QUERY_VECTORS_REMEMBERED)
def _query_text_vector(encoder, text: str) -> np.ndarray:
    vector = encoder.encode_texts([text])[0]
    vector.setflags(write=False)  # shared by every search of these words
    return vector


@cache
def _nearest_kind_terms(encoder) -> NearestKindTerms:
    return NearestKindTerms(word_vectors(encoder))


def similar_products(product: Product, limit: int = 8) -> list[Hit]:
    """Products like this one, found by its stored vectors among those of the same encoder:
    by photo when it has one (what shoppers mean by "similar"), else by its text. Nothing is
    encoded, so a product page never loads a model."""
    row = (
        ProductIndex.objects.filter(product=product)
        .exclude(encoder_version="")
        .values(
            "encoder_version",
            "photo_version",
            "text_vector",
            "photo_text_vector",
            "photo_features",
            "colour_vector",
        )
        .first()
    )
    if row is None:
        return []
    text, photo, image, colour = (
        None if row[name] is None else np.asarray(row[name], dtype=np.float32)
        for name in ("text_vector", "photo_text_vector", "photo_features", "colour_vector")
    )
    encoder_version = row["encoder_version"]
    model = trained.active_model(encoder_version)
    if photo is not None:
        # Its photo is compared with others only when the model's photo encoder made it.
        same_encoder = row["photo_version"] == trained.served_photo_version(model)
        vectors = QueryVectors(
            photo=photo, image=normalise(image) if same_encoder else None, colour=colour
        )
    elif text is not None:
        vectors = QueryVectors(text=text)
    else:
        return []
    filters = Filters(exclude_product_id=product.pk)
    ranked = _rank(vectors, QueryWords(text=""), None, filters, model, encoder_version, limit)
    # Neighbours by definition: matches or not, the nearest fill the row.
    return _page(ranked, limit, 0, time.perf_counter()).shown


@dataclass
class _Ranked:
    candidates: Candidates
    order: np.ndarray  # candidate positions, best first
    scores: np.ndarray
    matched: int | None = None  # how many of `order` are matches; None: all of them


def _rank(
    vectors: QueryVectors,
    words: QueryWords,
    vocabulary: Vocabulary | None,
    filters: Filters,
    model: trained.SearchModel | None,
    encoder_version: str,
    wanted: int,
) -> _Ranked:
    """The candidates, best first; each source is asked for at least the `wanted` results."""
    given = [vector for vector in (vectors.text, vectors.photo) if vector is not None]
    # Words alone: which wordless listings show is chosen by what the best results look like,
    # among those the head ranks (reciprocal rank fusion has no places for them to fill).
    feedback = vectors.photo is None and vectors.text is not None and _has_head(model)
    keywords = words.tsquery or None
    source_query = SourceQuery(
        # A photo-only query finds products by their text through its mapped photo.
        text_vector=vectors.text if vectors.text is not None else vectors.photo,
        photo_text_vector=normalise(np.sum(given, axis=0)),
        keywords=keywords if _keywords_rankable(words, vocabulary) else None,
        ranked_keywords=keywords,
        like_results=feedback,
        image_vector=vectors.image,
        photo_version=trained.served_photo_version(model),
        colourless_photos=_reads_colours_from_photos(words, vocabulary, model),
    )
    dims = active_dims()
    candidates = retrieve(
        source_query,
        filters,
        encoder_version,
        (dims.text, dims.image),
        per_source=max(CANDIDATES_PER_SOURCE, wanted),
    )
    if not _has_head(model) or not len(candidates):
        return _fused(candidates)
    inputs = head_inputs(candidates, vectors, words, vocabulary, model)
    scores = model.score(inputs.queries, inputs.candidates)[0]
    order = np.argsort(-scores, kind="stable")
    if feedback:
        wordless = candidates.wordless
        order, scores = refill_wordless_places(
            order, scores, candidates.photo, wordless, inputs.stated_chance
        )
        order, scores = with_wordless_share(order, scores, wordless, candidates.wordless_share)
    cutoff = model.relevance_cutoff
    # Scores fall along the order, so the matches lead it.
    matched = None if cutoff is None else int(cutoff.matches(scores).sum())
    return _Ranked(candidates, order, scores, matched)


def _keywords_rankable(words: QueryWords, vocabulary: Vocabulary | None) -> bool:
    """Whether the keyword source can rank the words' matches: whether they can match no more
    listings than it ranks (KEYWORD_MATCHES_RANKED). Words all common in a large catalogue
    ("men navy blue shirt" of a million listings) would have it read the full-text index's
    entries of thousands of matches, tens of milliseconds, for an arbitrary part of them; they
    are left to the vector sources, as a search engine gives common words little weight, and
    each candidate's keyword rank is still read. A rare word (a brand, a model) is searched."""
    return vocabulary is None or most_matches(words, vocabulary) <= KEYWORD_MATCHES_RANKED


def _has_head(model: trained.SearchModel | None) -> bool:
    return model is not None and model.head is not None


def _reads_colours_from_photos(
    words: QueryWords, vocabulary: Vocabulary | None, model: trained.SearchModel | None
) -> bool:
    """Whether the head reads, for words that name colours, what colour the photos of
    candidates whose listings state none show (search.candidate_features)."""
    text = words.for_encoder
    return (
        _has_head(model)
        and model.attribute_classifier is not None
        and vocabulary is not None
        and bool(text)
        and bool(vocabulary.attributes(text).colours)
    )


def _fused(candidates: Candidates) -> _Ranked:
    """The candidates by reciprocal rank fusion of their sources' ranks (no trained head)."""
    if not len(candidates):
        return _Ranked(candidates, np.zeros(0, dtype=np.int64), np.zeros(0))
    scores = reciprocal_rank_fusion(np.stack(list(candidates.source_ranks.values()), axis=1))
    return _Ranked(candidates, np.argsort(-scores, kind="stable"), scores)


def _sorted_with_facets(ranked: _Ranked, sort: str) -> Facets:
    """The facets of the ranking's matches, whose order becomes `sort`'s (the products past
    them stay in the ranking's)."""
    matched = len(ranked.order) if ranked.matched is None else ranked.matched
    positions = ranked.order[:matched].tolist()
    facts = {position: ranked.candidates.facts[position] for position in positions}
    if sort != "relevance":
        ranked.order[:matched] = sorted_ids(positions, facts, sort)
    return facets_of(list(facts.values()))


def _page(ranked: _Ranked, limit: int, offset: int, started: float) -> SearchResults:
    matched = len(ranked.order) if ranked.matched is None else ranked.matched
    end = offset + limit
    # Past the matches a page is filled with the nearest products only where the matches end.
    shown = ranked.order[offset:end] if offset <= matched else ranked.order[:0]
    ids = ranked.candidates.product_ids[shown].tolist()
    products = (
        Product.objects.select_related("category")
        .prefetch_related("images", "variants")
        .in_bulk(ids)
    )
    hits, related = [], []
    for place, position in enumerate(shown, start=offset):
        product = products.get(int(ranked.candidates.product_ids[position]))
        if product is None:  # deleted since it was found
            continue
        hit = Hit(
            product,
            float(ranked.scores[position]),
            _why(ranked.candidates, position),
            ranked.candidates.facts[position].price,
        )
        (hits if place < matched else related).append(hit)
    return SearchResults(
        hits=hits,
        count=matched,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        offset=offset,
        related=related,
    )


def _why(candidates: Candidates, position: int) -> list[str]:
    """The signals by which a candidate matched."""
    why = list(
        dict.fromkeys(
            _SIGNALS[name]
            for name, ranks in candidates.source_ranks.items()
            if 0 <= ranks[position] < WHY_DEPTH
        )
    )
    if "keywords" not in why and candidates.keyword_rank[position] > 0:
        why.append("keywords")
    return why


# An index row's vectors and keyword document: kilobytes a row, none of it needed for its state.
_INDEX_PAYLOAD = (
    "text_vector",
    "photo_features",
    "photo_text_vector",
    "colour_vector",
    "keywords",
    "next_photo_features",
    "next_photo_text_vector",
)


def with_index_state(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` with their index rows joined in (for `state`), leaving the payload unread."""
    return products.select_related("search_index").defer(
        *(f"search_index__{name}" for name in _INDEX_PAYLOAD)
    )
