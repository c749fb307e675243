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
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import transaction

from catalog.models import Category, Product, Variant
from core.replicas import read_alias
from search.db import binary_vector_cursor, estimated_index_rows
from search.facets import MatchFacts
from search.ml.colour import COLOUR_DIMS, normalise
from search.ml.photo_feedback import FEEDBACK_RESULTS
from search.models import ProductIndex
from search.vector_indexes import (
    CATEGORY_INDEXED,
    EXACT_SEARCH_MAX_PRODUCTS,
    MAX_EF_SEARCH,
    category_index_prefix,
)

CANDIDATES_PER_SOURCE = 50
# The wordless listings that look like a text query's first results (the like_results source):
# enough for the wordless places of a page or two, each read by the match head besides the
# other sources' candidates (about 2 ms a query on 10,000 listings).
LIKE_RESULTS_LIMIT = 20
# A category's own graph is searched with a list this many times as long: it answers queries
# from the whole catalogue, most of them far from its listings, whose nearest HNSW finds less
# surely (bench/scale.py, 1,000,000 listings, "Apparel" 48%: text recall@10 0.918 with a list
# of 200, 0.953 with 400; "Personal Care" 4.8%: 0.954 and 0.976).
CATEGORY_GRAPH_LIST_FACTOR = 2
# A deep page asks each source for more, up to this many.
MAX_CANDIDATES_PER_SOURCE = 500
# Past its search list, pgvector 0.8's iterative scan goes on through the index until each
# source has its candidates among the products the filters allow, visiting at most this many
# entries (pgvector's default): a filter that allows fewer is left to an exact search.
MAX_SCAN_TUPLES = 20_000
# The keyword source ranks at most this many of a query's matches (those that come first in the
# table): ranking reads each match's keyword document, and words matched by tens of thousands
# of listings (1,000,000-listing catalogue: 49-90 ms p95 unbounded) say little that the vector
# sources do not, while words that pick out a few listings (a brand, a model) stay within it.
KEYWORD_MATCHES_RANKED = 5_000
# A catalogue this small (or never analysed) is always searched exactly: it costs little, and
# an HNSW scan returns at most ef_search entries, which can all be dead row versions left by
# recent updates and not yet vacuumed away, leaving live products unfound.
EXACT_SEARCH_MAX_ROWS = 2_000


@dataclass(frozen=True)
class Filters:
    category: Category | None = None  # with its descendants
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    # (name, value) pairs that one variant in stock must all have, e.g. (("size", "M"),).
    options: tuple[tuple[str, str], ...] = ()
    colour: str = ""  # a colour family (search.ml.lexicon) that the listing states
    merchant_id: int | None = None
    exclude_product_id: int | None = None  # "similar products" leave out the product itself

    @property
    def narrows(self) -> bool:
        """Whether the filters may leave out products (excluding one product does not count)."""
        return bool(
            self.category
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
            or self.options
            or self.colour
            or self.merchant_id
        )


@dataclass
class SourceQuery:
    """What each candidate source searches with; a source is skipped when its input is None."""

    text_vector: np.ndarray | None = None  # against the products' text vectors
    # Against the products' photos in the text space; also alone against the photos of
    # products without text, so that those always get candidate places of their own.
    photo_text_vector: np.ndarray | None = None
    keywords: str | None = None  # full-text search: to_tsquery text (search.query_words)
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


@dataclass
class Candidates:
    """n candidates: their ids, the rank each source gave them (-1: not found by it), vectors."""

    product_ids: np.ndarray  # (n,)
    source_ranks: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n,)
    text: np.ndarray | None = None  # (n, d), zero rows for missing vectors
    photo: np.ndarray | None = None  # (n, d)
    # (n, image_dim), L2-normalised: the photos of candidates without text, by which the match
    # head judges what they are (zero rows for the rest)
    image: np.ndarray | None = None
    # (n, COLOUR_DIMS): every candidate's colours for a photo query, else those of the
    # candidates without text
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

    def __len__(self) -> int:
        return len(self.product_ids)

    @property
    def wordless(self) -> np.ndarray:
        """(n,) bool: the candidates that only their photos describe."""
        return ~self.text.any(axis=1) & self.image.any(axis=1)


_PRODUCT = Product._meta.db_table
_INDEX = ProductIndex._meta.db_table
_CATEGORY = Category._meta.db_table
# What a source sends of each product it finds, beside its id, its name and the product's place.
_FOUND = (
    "product.title, product.category_id, product.price, product.currency, "
    "product.stock > 0 AS in_stock, product.created_at"
)
_FOUND_NAMES = "title, category_id, price, currency, in_stock, created_at"  # as they are sent
_VARIANT = Variant._meta.db_table


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
    conditions, parameters = _conditions(filters, encoder_version)
    variant_match = _variant_match(filters, "found.price")
    parameters |= {
        "text_vector": query.text_vector,
        "photo_text_vector": query.photo_text_vector,
        "limit": per_source,
        "like_limit": LIKE_RESULTS_LIMIT,
        "keywords": query.keywords or "",
        "image_vector": query.image_vector,
        "photo_version": query.photo_version,
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
        catalogue = estimated_index_rows(cursor)
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
        sql = functools.partial(_candidates_sql, sources, conditions, variant_match)
        cursor.execute(sql(exact, photo_query), parameters)
        rows = cursor.fetchall()
        if not exact and filters.narrows and _came_short(rows, sources, per_source):
            # The filters allow fewer products than the planner expected, too few for the
            # index scan to reach: every product they allow is compared.
            cursor.execute(sql(True, photo_query), parameters)
            rows, exact = cursor.fetchall(), True
    candidates = _collect(rows, sources, text_dim, image_dim)
    candidates.searched_exactly = exact
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


def _conditions(filters: Filters, encoder_version: str | None) -> tuple[str, dict]:
    conditions = ["product.status = 'active'"]
    parameters: dict = {
        "min_price": filters.min_price,
        "max_price": filters.max_price,
        "colour": filters.colour,
    }
    for number, (name, value) in enumerate(filters.options):
        parameters[f"option_name_{number}"] = name
        parameters[f"option_value_{number}"] = value.lower()
    if encoder_version is not None:  # None: keywords alone, vectors of any version unread
        conditions.append("row.encoder_version = %(version)s")
        parameters["version"] = encoder_version
    if filters.category is not None:
        # A constant, not a parameter: the planner matches a category's own HNSW indexes
        # (search.vector_indexes) only to a condition it can read at planning time.
        conditions.append(f"row.categories @> ARRAY[{int(filters.category.pk)}]")
    if filters.in_stock:
        conditions.append("product.stock > 0")
    variants = _VARIANTS_OF.format(product="product.id")
    match = _variant_match(filters, "product.price")
    if filters.min_price is not None or filters.max_price is not None:
        # A product with variants is in range by one of them that has what else is asked for
        # (stock, options); one without, by its own price.
        own = "false" if filters.options else " AND ".join(_price_bounds(filters, "product.price"))
        conditions.append(f"coalesce((SELECT bool_or({match}) {variants}), {own})")
    elif filters.options:
        conditions.append(f"EXISTS (SELECT 1 {variants} AND {match})")
    if filters.colour:
        conditions.append(_COLOUR_CONDITION)
    if filters.merchant_id:
        conditions.append("product.merchant_id = %(merchant)s")
        parameters["merchant"] = filters.merchant_id
    if filters.exclude_product_id:
        conditions.append("product.id <> %(exclude)s")
        parameters["exclude"] = filters.exclude_product_id
    return " AND ".join(conditions), parameters


# Served by the GIN index on the colours (productindex_colours).
_COLOUR_CONDITION = "row.colours @> ARRAY[%(colour)s]::varchar[]"
# A product's variants: few, found by the index on variant.product_id.
_VARIANTS_OF = f"FROM {_VARIANT} AS variant WHERE variant.product_id = {{product}}"


def _variant_match(filters: Filters, product_price: str) -> str:
    """What one variant needs for the filters to allow its product (with _conditions'
    parameters): to be in stock where they ask for stock or options, to have the options asked
    for (values in any case: "size:m" finds size M), and its price (its own, else the
    product's) within the price bounds."""
    matches = ["variant.stock > 0"] if filters.in_stock or filters.options else []
    matches += [
        f"lower(variant.options ->> %(option_name_{number})s) = %(option_value_{number})s"
        for number in range(len(filters.options))
    ]
    matches += _price_bounds(filters, f"coalesce(variant.price, {product_price})")
    return " AND ".join(matches) or "true"


def _price_bounds(filters: Filters, price: str) -> list[str]:
    bounds = []
    if filters.min_price is not None:
        bounds.append(f"{price} >= %(min_price)s")
    if filters.max_price is not None:
        bounds.append(f"{price} <= %(max_price)s")
    return bounds


def _planned_rows(cursor, conditions: str, parameters: dict) -> float:
    """How many products the filters allow, as the planner estimates it: a plan, not a count,
    whatever the catalogue's size."""
    cursor.execute(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_INDEX} AS row "
        f"JOIN {_PRODUCT} AS product ON product.id = row.product_id WHERE {conditions}",
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
        f"SELECT min(index.reltuples) FROM {_CATEGORY} AS ancestor "
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


def _candidates_sql(
    sources: list[str], conditions: str, variant_match: str, exact: bool, photo_query: bool
) -> str:
    branches = {
        name: f"(SELECT row.product_id, '{name}' AS source, {order} AS position, {_FOUND} "
        f"FROM {_INDEX} AS row JOIN {_PRODUCT} AS product ON product.id = row.product_id "
        f"WHERE {conditions} AND {match} ORDER BY position LIMIT {limit})"
        for name in sources
        if name != "keywords"
        for limit in ["%(like_limit)s" if name == "like_results" else "%(limit)s"]
        for match, order in [_source_order(name, exact)]
    }
    if "keywords" in sources:
        # Ranked as they were matched: each match's row is read once.
        branches["keywords"] = (
            f"(SELECT product_id, 'keywords' AS source, position, {_FOUND_NAMES} "
            "FROM keyword_matches ORDER BY position LIMIT %(limit)s)"
        )
    like_results = branches.pop("like_results", None)
    found = "found"
    feedback = ""
    if like_results is not None:
        # The photos of the text source's first results (those with a photo), averaged: what
        # the like_results source orders products without words by.
        feedback = (
            ", centre AS MATERIALIZED (SELECT avg(row.photo_text_vector) AS vector "
            "FROM (SELECT product_id FROM found WHERE source = 'text' "
            f"ORDER BY position LIMIT {FEEDBACK_RESULTS}) AS seed "
            f"JOIN {_INDEX} AS row USING (product_id)), "
            f"like_results AS MATERIALIZED {like_results}"
        )
        found = "(SELECT * FROM found UNION ALL SELECT * FROM like_results)"
    # Each product once, with the sources that found it and its place in each: one that
    # several sources find travels once with its vectors.
    found_once = (
        "(SELECT product_id, array_agg(source) AS sources, array_agg(position) AS positions, "
        f"{_FOUND_NAMES} FROM {found} AS found GROUP BY product_id, {_FOUND_NAMES}) AS found"
    )
    # Only the photos of products without words travel (the match head reads what they are);
    # a photo query compares every candidate's photo and colours with its own.
    # Photos are compared only with photos of the query's photo encoder (during a move to a new
    # one, a row changed at the last moment may have another: search.ml.photo_versions).
    same_encoder = "row.photo_version = %(photo_version)s"
    photo_columns = (
        f"CASE WHEN row.text_vector IS NULL AND {same_encoder} THEN row.photo_features END, "
    ) + (
        f"row.colour_vector, CASE WHEN {same_encoder} "
        "THEN 1 - (row.photo_features <=> %(image_vector)s) END"
        if photo_query
        else "CASE WHEN row.text_vector IS NULL THEN row.colour_vector END, NULL::float8"
    )
    keyword_matches = (
        ", keyword_matches AS MATERIALIZED (SELECT row.product_id, "
        f"-ts_rank_cd(row.keywords, (SELECT terms FROM query)) AS position, {_FOUND} "
        f"FROM {_INDEX} AS row JOIN {_PRODUCT} AS product ON product.id = row.product_id "
        f"WHERE {conditions} AND row.keywords @@ (SELECT terms FROM query) "
        f"LIMIT {KEYWORD_MATCHES_RANKED})"
        if "keywords" in sources
        else ""
    )
    # A product with variants is priced by those the filters allow: the prices a shopper can
    # pay for what they asked, and the lowest of them in stock (else the lowest), for sorting.
    unit_price = "coalesce(variant.price, found.price)"
    # `found` is materialised: the sources run once, whatever plan the join gets (on a table
    # whose statistics say it is tiny, PostgreSQL would otherwise re-run them for every row).
    # It carries the product's title from the sources' own join: joined again here, the
    # planner would hash the whole product table for a few hundred candidates.
    return f"""
        WITH query AS (
            SELECT to_tsquery(%(config)s::regconfig, %(keywords)s) AS terms
        ){keyword_matches}, found AS MATERIALIZED ({" UNION ALL ".join(branches.values())})
        {feedback}
        SELECT found.product_id, found.sources, found.positions, row.text_vector,
               row.photo_text_vector, {photo_columns},
               ts_rank_cd(row.keywords, (SELECT terms FROM query)),
               found.title, coalesce(category.full_name, ''), found.category_id,
               coalesce(variants.price, found.price), variants.prices, found.currency,
               found.in_stock, found.created_at, row.colours, variants.options
        FROM {found_once} JOIN {_INDEX} AS row USING (product_id)
        LEFT JOIN {_CATEGORY} AS category ON category.id = found.category_id
        LEFT JOIN LATERAL (
            SELECT coalesce(
                       min({unit_price}) FILTER (WHERE {variant_match} AND variant.stock > 0),
                       min({unit_price}) FILTER (WHERE {variant_match})
                   ) AS price,
                   array_agg(DISTINCT {unit_price})
                       FILTER (WHERE {variant_match} AND {unit_price} IS NOT NULL) AS prices,
                   jsonb_agg(variant.options ORDER BY variant.position, variant.id)
                       FILTER (WHERE variant.stock > 0) AS options
            {_VARIANTS_OF.format(product="found.product_id")}
        ) AS variants ON true
    """


# The vector column that each vector source searches.
_SOURCE_COLUMNS = {"text": "text_vector", "photo": "photo_text_vector"}


def _source_order(name: str, exact: bool) -> tuple[str, str]:
    """A vector source's match condition and its order (ascending: best first)."""
    if name == "photo_only":  # served by the partial index on rows without text
        match, distance = _source_order("photo", exact)
        return f"row.text_vector IS NULL AND {match}", distance
    if name == "like_results":  # the same index, nearest to the centre of the results' photos
        centre = "(SELECT vector FROM centre)"
        distance = f"(row.photo_text_vector <=> {centre})" + (" + 0" if exact else "")
        match = (
            f"row.text_vector IS NULL AND row.photo_text_vector IS NOT NULL "
            f"AND {centre} IS NOT NULL"
        )
        return match, distance
    column = _SOURCE_COLUMNS[name]
    # "+ 0" hides the distance from the planner's index matching: an exact scan of the
    # filtered rows, which returns every match that an index scan might filter away.
    distance = f"(row.{column} <=> %({column})s)" + (" + 0" if exact else "")
    return f"row.{column} IS NOT NULL", distance


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
