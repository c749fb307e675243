"""Candidates for a query: nearest neighbours from the pgvector HNSW indexes and full-text
matches, filtered, with each candidate's vectors and keyword rank, in one round trip.

pgvector filters after its index scan, so a filter that keeps few products could leave fewer
than the wanted candidates. A filtered query therefore first asks the planner how many products
it allows (an estimate, whatever the catalogue's size, not a count): a small set is searched
exactly (no index); a large one through the index, whose iterative scan goes on until each
source has its candidates, with a search list lengthened by as much as the filters thin it
out; and an index scan that still comes short is followed by an exact search. A category filter
is served by the category's own HNSW indexes where it has them (search.vector_indexes).
docs/scaling.md has the figures at 1,000,000 listings.
"""

import functools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction

from catalog.models import Category
from core.replicas import read_alias
from search.candidate_statement import (
    CATEGORY_TABLE,
    INDEX_TABLE,
    PRODUCT_TABLE,
    candidates_statement,
)
from search.db import binary_vector_cursor, estimated_rows
from search.facets import MatchFacts
from search.filters import Filters, filter_conditions, variant_match
from search.ml.colour import COLOUR_DIMS, normalise
from search.vector_indexes import (
    CATEGORY_INDEXED,
    EXACT_SEARCH_MAX_PRODUCTS,
    MAX_EF_SEARCH,
    category_index_prefix,
)

CANDIDATES_PER_SOURCE = 50
# A category's own graph is searched with a list this many times as long: it answers queries
# from the whole catalogue, most of them far from its listings, whose nearest HNSW finds less
# surely (bench/scale.py, 1,000,000 listings, "Apparel" 48%: text recall@10 0.918 with a list
# of 200, 0.953 with 400; "Personal Care" 4.8%: 0.954 and 0.976; with the graphs in half
# precision, "Apparel" 0.948 with 400 and 0.963 with 600).
CATEGORY_GRAPH_LIST_FACTOR = 3
# A deep page asks each source for more, up to this many.
MAX_CANDIDATES_PER_SOURCE = 500
# Past its search list, pgvector 0.8's iterative scan goes on through the index until each
# source has its candidates among the products the filters allow, visiting at most this many
# entries (pgvector's default): a filter that allows fewer is left to an exact search.
MAX_SCAN_TUPLES = 20_000
# A catalogue this small (or never analysed) is always searched exactly: it costs little, and
# an HNSW scan returns at most ef_search entries, which can all be dead row versions left by
# recent updates and not yet vacuumed away, leaving live products unfound.
EXACT_SEARCH_MAX_ROWS = 2_000


@dataclass
class SourceQuery:
    """What each candidate source searches with; a source is skipped when its input is None."""

    text_vector: np.ndarray | None = None  # against the products' text vectors
    # Against the products' photos in the text space; also alone against the photos of
    # products without text, so that those always get candidate places of their own.
    photo_text_vector: np.ndarray | None = None
    keywords: str | None = None  # full-text search: to_tsquery text (search.query_words)
    # What each candidate's keyword rank is read against, where the keyword source searches
    # nothing (None: `keywords`): words whose matches are too many for it to rank
    # (search.selectors) still tell the head which candidates use them.
    ranked_keywords: str | None = None
    # Also the products without text whose photos look like those of the text source's first
    # results (pseudo-relevance feedback, search.ml.photo_feedback): for words alone, where the
    # typed words and the mapped photos lie apart in the text space.
    like_results: bool = False
    # A query photo in the image encoder's space: every candidate's photo is compared with it
    # in the database, which sends back one number instead of the photo's features.
    image_vector: np.ndarray | None = None
    # The photo encoder whose photos compare with image_vector, and whose photos of products
    # without words the match head reads (search.models.ProductIndex.photo_version).
    photo_version: str = ""
    # Also send the photos of products whose listings state no colour (search.ml.product_colours):
    # for words that name colours, which those photos show.
    colourless_photos: bool = False


@dataclass
class Candidates:
    """n candidates: their ids, the rank each source gave them (-1: not found by it), vectors."""

    product_ids: np.ndarray  # (n,)
    source_ranks: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n,)
    text: np.ndarray | None = None  # (n, d), zero rows for missing vectors
    photo: np.ndarray | None = None  # (n, d)
    # (n, image_dim), L2-normalised: the photos of candidates without text, by which the match
    # head judges what they are, and for SourceQuery.colourless_photos those of candidates
    # that state no colour (zero rows for the rest)
    image: np.ndarray | None = None
    # (n, COLOUR_DIMS): every candidate's colours for a photo query, else those of the
    # candidates whose photos `image` holds
    colour: np.ndarray | None = None
    # (n,): each candidate's photo against the query's image_vector (cosine; 0 without either)
    image_similarity: np.ndarray | None = None
    keyword_rank: np.ndarray | None = None  # (n,)
    titles: list[str] = field(default_factory=list)  # (n,) what the match head reads nouns from
    categories: list[str] = field(default_factory=list)  # (n,) full names, "" for none
    # (n,) each candidate's catalogue facts, for facets and sorting (search.facets)
    facts: list[MatchFacts] = field(default_factory=list)
    # Whether every product the filters allow was compared (else the vector indexes served)
    searched_exactly: bool = True
    # The catalogue's share of listings that no words describe, as last estimated (0: unknown)
    wordless_share: float = 0.0

    def __len__(self) -> int:
        return len(self.product_ids)

    @property
    def wordless(self) -> np.ndarray:
        """(n,) bool: the candidates that only their photos describe."""
        return ~self.text.any(axis=1) & self.image.any(axis=1)

    @property
    def colourless(self) -> np.ndarray:
        """(n,) bool: the candidates with words that state no colour, whose photos were sent
        (SourceQuery.colourless_photos)."""
        return self.text.any(axis=1) & self.image.any(axis=1)


def retrieve(
    query: SourceQuery,
    filters: Filters,
    encoder_version: str | None,
    dims: tuple[int, int],
    per_source: int = CANDIDATES_PER_SOURCE,
) -> Candidates:
    """Up to `per_source` candidates from each source, merged, with their vectors."""
    text_dim, image_dim = dims
    per_source = min(per_source, MAX_CANDIDATES_PER_SOURCE)
    conditions, parameters = filter_conditions(filters, encoder_version)
    found_variant_match = variant_match(filters, "found.price")
    parameters |= {
        "text_vector": query.text_vector,
        "photo_text_vector": query.photo_text_vector,
        "limit": per_source,
        "keywords": query.keywords or "",
        "ranked_keywords": (
            query.keywords if query.ranked_keywords is None else query.ranked_keywords
        )
        or "",
        "image_vector": query.image_vector,
        "photo_version": query.photo_version,
        "colourless_photos": query.colourless_photos,
        "config": settings.SEARCH_TEXT_CONFIG,
    }
    sources = [
        name
        for name, given in (
            ("text", query.text_vector),
            ("photo", query.photo_text_vector),
            ("photo_only", query.photo_text_vector),
            ("keywords", query.keywords),
        )
        if given is not None and (name != "keywords" or given.strip())
    ]
    # The feedback reads the text source's results, and comes after the others
    if query.like_results and "text" in sources:
        sources.append("like_results")
    if not sources:
        return Candidates(product_ids=np.zeros(0, dtype=np.int64))
    database = read_alias()  # a replica's, inside a search (core.replicas)
    photo_query = query.image_vector is not None
    with transaction.atomic(using=database), binary_vector_cursor(database) as cursor:
        catalogue, wordless = estimated_rows(cursor)
        exact, allowed_share, category_graph = catalogue <= EXACT_SEARCH_MAX_ROWS, 1.0, False
        if not exact and filters.narrows:
            allowed = _planned_rows(cursor, conditions, parameters)
            exact = allowed <= EXACT_SEARCH_MAX_PRODUCTS
            if not exact:  # the share of the index searched that the filters allow
                served, category_graph = _served_rows(cursor, filters.category, catalogue)
                allowed_share = allowed / served if served > 0 else 1.0  # > 0: analysed
        if not exact:
            ef_search = search_list(per_source, allowed_share, category_graph)
            cursor.execute(f"SET LOCAL hnsw.ef_search = {ef_search}")
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(f"SET LOCAL hnsw.max_scan_tuples = {MAX_SCAN_TUPLES}")
        sql = functools.partial(
            candidates_statement, sources, conditions, found_variant_match, text_dim
        )
        cursor.execute(sql(exact, photo_query), parameters)
        rows = cursor.fetchall()
        if not exact and filters.narrows and _came_short(rows, sources, per_source):
            # The filters allow fewer products than the planner expected, too few for the
            # index scan to reach: every product they allow is compared.
            cursor.execute(sql(True, photo_query), parameters)
            rows, exact = cursor.fetchall(), True
    candidates = _collect(rows, sources, text_dim, image_dim)
    candidates.searched_exactly = exact
    candidates.wordless_share = min(1.0, wordless / catalogue) if catalogue > 0 < wordless else 0.0
    return candidates


def search_list(per_source: int, allowed_share: float = 1.0, category_graph: bool = False) -> int:
    """An HNSW search's list (ef_search): at least twice the candidates wanted and
    VITRINE_HNSW_EF_SEARCH, longer by as much as the filters thin out the index searched
    (`allowed_share` of its listings), so that it holds as many allowed products as an
    unfiltered search's would, and longer again in a category's own graph; pgvector's maximum
    at most."""
    wanted = max(2 * per_source, settings.VITRINE_HNSW_EF_SEARCH) / min(allowed_share, 1.0)
    if category_graph:
        wanted *= CATEGORY_GRAPH_LIST_FACTOR
    return min(math.ceil(wanted), MAX_EF_SEARCH)


def _planned_rows(cursor, conditions: str, parameters: dict) -> float:
    """How many products the filters allow, as the planner estimates it: a plan, not a count,
    whatever the catalogue's size."""
    cursor.execute(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {INDEX_TABLE} AS row "
        f"JOIN {PRODUCT_TABLE} AS product ON product.id = row.product_id WHERE {conditions}",
        parameters,
    )
    return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


def _served_rows(cursor, category: Category | None, catalogue: float) -> tuple[float, bool]:
    """The listings in the HNSW index that serves a search within `category`: the smallest
    category index of its own or of an ancestor (search.vector_indexes), else the catalogue's;
    and whether it is a category's."""
    if category is None:
        return catalogue, False
    parts = category.path.split("/")
    cursor.execute(
        f"SELECT min(index.reltuples) FROM {CATEGORY_TABLE} AS ancestor "
        "JOIN pg_class AS index ON index.relname = %(prefix)s || ancestor.id "
        "WHERE ancestor.path = ANY(%(paths)s)",
        {
            "prefix": category_index_prefix(CATEGORY_INDEXED[0]),
            "paths": ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)],
        },
    )
    rows = cursor.fetchone()[0]
    return (rows, True) if rows and rows > 0 else (catalogue, False)


def _came_short(rows: list[tuple], sources: list[str], wanted: int) -> bool:
    """Whether the text or the photo source found fewer than `wanted` products (the photo-only
    source is short wherever few products lack words, keywords wherever few use them)."""
    found = Counter(source for _, found_by, *_ in rows for source in found_by)
    return any(found[name] < wanted for name in sources if name in ("text", "photo"))


def _collect(rows, sources, text_dim: int, image_dim: int) -> Candidates:
    """A candidate's rank in a source is its place in that source's order; candidates come
    in the order of their best places."""
    places: dict[str, list[tuple[float, int]]] = {name: [] for name in sources}
    details: dict[int, tuple] = {}
    for product_id, found_by, positions, *row_details in rows:
        for source, position in zip(found_by, positions, strict=True):
            places[source].append((position, product_id))
        details[product_id] = row_details
    ranks = {
        name: {product_id: rank for rank, (_, product_id) in enumerate(sorted(found))}
        for name, found in places.items()
    }
    best_rank = {
        product_id: min(ranked[product_id] for ranked in ranks.values() if product_id in ranked)
        for product_id in details
    }
    order = sorted(details, key=lambda product_id: (best_rank[product_id], product_id))
    count = len(order)
    candidates = Candidates(
        product_ids=np.fromiter(order, dtype=np.int64, count=count),
        source_ranks={
            name: np.array([found.get(pid, -1) for pid in order], dtype=np.int64)
            for name, found in ranks.items()
        },
        text=np.zeros((count, text_dim), dtype=np.float32),
        photo=np.zeros((count, text_dim), dtype=np.float32),
        image=np.zeros((count, image_dim), dtype=np.float32),
        colour=np.zeros((count, COLOUR_DIMS), dtype=np.float32),
        keyword_rank=np.zeros(count, dtype=np.float32),
        image_similarity=np.zeros(count, dtype=np.float32),
    )
    for i, product_id in enumerate(order):
        text, photo, image, colour, image_similarity, keyword_rank, title, category, *facts = (
            details[product_id]
        )
        candidates.facts.append(_match_facts(*facts))
        candidates.titles.append(title)
        candidates.categories.append(category)
        if text is not None:
            candidates.text[i] = text
        if photo is not None:
            candidates.photo[i] = photo
        if image is not None:
            candidates.image[i] = normalise(image)
        if colour is not None:
            candidates.colour[i] = colour
        candidates.keyword_rank[i] = keyword_rank or 0.0
        # None: no photo, or a photo whose features are all zero (no direction to compare)
        if image_similarity is not None and not math.isnan(image_similarity):
            candidates.image_similarity[i] = image_similarity
    return candidates


def _match_facts(
    category_id, price, variant_prices, currency, in_stock, created_at, colours, options
) -> MatchFacts:
    own_price = () if price is None else (price,)
    return MatchFacts(
        category_id=category_id,
        price=price,
        currency=currency,
        in_stock=in_stock,
        created_at=created_at,
        prices=tuple(sorted(variant_prices)) if variant_prices else own_price,
        colours=tuple(colours),
        # Each pair once, in the order of the first variant that has it.
        options=tuple(dict.fromkeys(pair for variant in options or () for pair in variant.items())),
    )
