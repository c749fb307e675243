"""The HNSW indexes of the search vectors, built with the operator's settings and rebuilt
without downtime.

A rebuild builds each index anew beside the old one (`CREATE INDEX CONCURRENTLY`: rows keep
being written and searched meanwhile), then drops the old one and gives the new one its name.
Searches use the old index until it is dropped and the new one after, so there is no moment
without one. Build parameters come from settings (VITRINE_HNSW_*): `m` and `ef_construction`
trade build time and size for recall, and the build's memory and parallel workers decide
whether a large index is built in memory (minutes) or on disk (far longer).

Categories of their own. An HNSW scan with a filter walks the whole catalogue's graph toward
the query and keeps what the filter allows. Where a category's listings lie away from the
query's neighbourhood (a search for "red dress" inside "Personal Care"), the scan meets them
late and returns the first it meets, not the nearest: a recall@10 of 0.33 to 0.46 for a 5%
category of 1,000,000 listings (docs/scaling.md). A partial index over one category's rows is
a graph of that category alone, searched as fast as a catalogue of its size. A category gets
its own text and photo indexes when it holds more listings than an exact search serves and at
most half of those of the index that serves it otherwise (the catalogue's, or an ancestor
category's own). Below half, a lengthened search list (search.retrieval) does not make up for
it: a broad category that the query's neighbourhood lacks ("Apparel", 48% of 1,000,000
listings, for a query about watches) was found with a recall@10 of 0.887 through the
catalogue's graph. A category that is most of its index is served by that index: the walk
meets its listings more often than any other's. `sync_category_indexes` (hourly, and
`manage.py rebuild_vector_indexes`) builds and drops them as the catalogue changes.
"""

import logging
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q
from pgvector.django import HnswIndex

from catalog.models import Category, Product
from core.database_roles import OWNER_ALIAS, quote_identifier
from search.indexed_vector import IndexedVector
from search.ml.encoders.dims import VectorDims
from search.models import ProductIndex

logger = logging.getLogger(__name__)

# What a rebuild names the index it builds until that index replaces the old one.
NEXT_SUFFIX = "_next"
# A filtered search that the planner expects to allow at most this many products compares them
# all (search.retrieval): a scan of a few thousand rows beats an index scan that skips most of
# what it visits. Categories above it may get indexes of their own.
EXACT_SEARCH_MAX_PRODUCTS = 20_000
# The longest HNSW search list pgvector allows.
MAX_EF_SEARCH = 1000
# A category with at most this share of the listings of the index that would serve it gets
# indexes of its own (module docstring).
CATEGORY_INDEX_MAX_SHARE = 0.5
# The model's indexes that categories get copies of (not the photo-only one: few rows).
CATEGORY_INDEXED = ("productindex_text_hnsw", "productindex_photo_hnsw")
_CATEGORY_INDEX_NAME = re.compile(rf"^({'|'.join(CATEGORY_INDEXED)})_c(\d+)$")
# The advisory lock that a sync of the category indexes holds (any number unused elsewhere).
_SYNC_LOCK = 0x56495452  # "VITR"
# A category's indexes stay until it falls this far past the bounds that gave them (two thirds
# of the listings, or 1.5 times the share): one near a bound is not rebuilt and dropped in turn.
_KEEP_MARGIN = 1.5


@dataclass(frozen=True)
class BuiltIndex:
    name: str
    seconds: float
    bytes: int


def vector_indexes(dims: VectorDims | None = None) -> list[HnswIndex]:
    """The model's HNSW indexes, with the build parameters that settings give, holding vectors
    of the active encoder's size, or of `dims`."""
    return [
        _with_parameters(
            index,
            dims,
            m=settings.VITRINE_HNSW_M,
            ef_construction=settings.VITRINE_HNSW_EF_CONSTRUCTION,
        )
        for index in ProductIndex._meta.indexes
        if isinstance(index, HnswIndex)
    ]


def _sized(expression, dims: VectorDims):
    """`expression` with each IndexedVector in it sized for an encoder of `dims`."""
    if isinstance(expression, IndexedVector):
        return expression.sized(dims)
    copy = expression.copy()
    copy.set_source_expressions(
        [_sized(part, dims) for part in expression.get_source_expressions()]
    )
    return copy


def category_index_prefix(base: str) -> str:
    """What the names of the categories' copies of the model's index `base` begin with."""
    return f"{base}_c"


def category_index_name(base: str, category_id: int) -> str:
    """The name of category `category_id`'s copy of the model's index `base`."""
    return f"{category_index_prefix(base)}{category_id}"


def category_indexes(category_id: int, dims: VectorDims | None = None) -> list[HnswIndex]:
    """A category's own indexes: the model's text and photo indexes over its rows alone."""
    return [
        _with_parameters(
            index,
            name=category_index_name(index.name, category_id),
            condition=Q(categories__contains=[category_id]),
        )
        for index in vector_indexes(dims)
        if index.name in CATEGORY_INDEXED
    ]


def _with_parameters(index: HnswIndex, dims: VectorDims | None = None, **changes) -> HnswIndex:
    """A copy of `index` with some of its parameters changed, and its vectors sized for an
    encoder of `dims` where given."""
    _, expressions, parameters = index.deconstruct()
    if dims is not None:
        expressions = [_sized(expression, dims) for expression in expressions]
    return HnswIndex(*expressions, **(parameters | changes))


def rebuild_vector_indexes(names: list[str] | None = None) -> list[BuiltIndex]:
    """Rebuild the named HNSW indexes (all by default, categories' own included) beside the old
    ones, then switch. Runs as the schema's owner, outside any transaction (a concurrent build
    may not run in one)."""
    connection = connections[OWNER_ALIAS]
    built = []
    with connection.cursor() as cursor:
        _set_build_parameters(cursor)
        _drop_invalid_category_indexes(cursor)
        categories = sorted({category for _, category in _category_indexes_present(cursor)})
        for index in vector_indexes() + [
            index for category in categories for index in category_indexes(category)
        ]:
            if names is not None and index.name not in names:
                continue
            built.append(_rebuild(connection, cursor, index))
    return built


def known_vector_index_names() -> list[str]:
    """The names `rebuild_vector_indexes` takes: the model's and the categories' present now."""
    with connections[OWNER_ALIAS].cursor() as cursor:
        present = _category_indexes_present(cursor)
    return [index.name for index in vector_indexes()] + [
        category_index_name(base, category) for base, category in sorted(present)
    ]


def resize_vector_indexes(dims: VectorDims, using: str) -> None:
    """Build every HNSW index again (the model's, and the categories' copies there are) to hold
    vectors of an encoder of `dims`, in the caller's transaction: after a resize has emptied the
    vector columns (search.schema), each build is instant. An index of another size than the
    searches' would never be used: they order by the expression of their own size."""
    connection = connections[using]
    with connection.cursor() as cursor:
        categories = sorted({category for (_, category), _ in _category_indexes(cursor)})
        indexes = vector_indexes(dims) + [
            index for category in categories for index in category_indexes(category, dims)
        ]
        with connection.schema_editor(atomic=False, collect_sql=False) as editor:
            for index in indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {quote_identifier(index.name)}")
                editor.add_index(ProductIndex, index)


@dataclass
class CategoryIndexChanges:
    built: list[BuiltIndex] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def sync_category_indexes() -> CategoryIndexChanges:
    """Build the indexes of the categories that should have their own and drop those of the
    categories that no longer should (module docstring), concurrently: searches and writes go
    on, and a search uses a category's indexes from the moment they are complete."""
    connection = connections[OWNER_ALIAS]
    changes = CategoryIndexChanges()
    with connection.cursor() as cursor:
        # One sync at a time (the hourly task and an operator's command may meet): the other
        # returns at once, with nothing changed.
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_SYNC_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("Category indexes: another sync is under way.")
            return changes
        try:
            _sync(connection, cursor, changes)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_SYNC_LOCK])
    logger.info(
        "Category indexes: built %s, dropped %s.",
        [built.name for built in changes.built],
        changes.dropped,
    )
    return changes


def _sync(connection, cursor, changes: CategoryIndexChanges) -> None:
    _set_build_parameters(cursor)
    _drop_invalid_category_indexes(cursor)
    present = _category_indexes_present(cursor)
    wanted = indexed_categories(_listings_by_category(), {category for _, category in present})
    for base, category in sorted(present):
        if category not in wanted:
            name = category_index_name(base, category)
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(name)}")
            changes.dropped.append(name)
    for category in sorted(wanted):
        for index in category_indexes(category):
            if (index.name.removesuffix(f"_c{category}"), category) not in present:
                changes.built.append(_create(connection, cursor, index))


def indexed_categories(listings: dict[str, int], present: set[int]) -> set[int]:
    """The ids of the categories that should have indexes of their own, from the listings under
    each category ({path: count}, the whole catalogue's under "") and those that have them."""
    ids = dict(Category.objects.filter(path__in=listings).values_list("path", "pk"))
    total = listings.get("", 0)
    chosen: dict[str, int] = {}  # path -> listings, for those chosen
    for path in sorted(listings, key=lambda path: path.count("/")):  # parents first
        if path not in ids:
            continue
        prefixes = ["/".join(path.split("/")[:depth]) for depth in range(1, path.count("/") + 1)]
        served_by = min((chosen[prefix] for prefix in prefixes if prefix in chosen), default=total)
        margin = _KEEP_MARGIN if ids[path] in present else 1.0
        count = listings[path]
        if (
            EXACT_SEARCH_MAX_PRODUCTS / margin
            < count
            <= CATEGORY_INDEX_MAX_SHARE * margin * served_by
        ):
            chosen[path] = count
    return {ids[path] for path in chosen}


def _listings_by_category() -> dict[str, int]:
    """Listings under each category path, its subcategories' included ("" for all of them):
    counted by the products' category index, not the wide index rows."""
    counts = Product.objects.values_list("category__path").annotate(Count("id")).order_by()
    listings: dict[str, int] = {}
    for path, count in counts:
        listings[""] = listings.get("", 0) + count
        if path:
            parts = path.split("/")
            for depth in range(1, len(parts) + 1):
                prefix = "/".join(parts[:depth])
                listings[prefix] = listings.get(prefix, 0) + count
    return listings


def _category_indexes_present(cursor) -> set[tuple[str, int]]:
    """(base index name, category id) of each valid category index: a read, which
    `_drop_invalid_category_indexes` leaves the invalid ones to."""
    return {key for key, valid in _category_indexes(cursor) if valid}


def _drop_invalid_category_indexes(cursor) -> None:
    """Drop each invalid category index (a build that was killed), to be built again."""
    for (base, category), valid in _category_indexes(cursor):
        if not valid:
            name = category_index_name(base, category)
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(name)}")


def _category_indexes(cursor) -> list[tuple[tuple[str, int], bool]]:
    """((base index name, category id), valid) of each category index in the database."""
    cursor.execute(
        "SELECT class.relname, index.indisvalid FROM pg_index AS index "
        "JOIN pg_class AS class ON class.oid = index.indexrelid "
        "WHERE index.indrelid = %s::regclass",
        [ProductIndex._meta.db_table],
    )
    return [
        ((match[1], int(match[2])), valid)
        for name, valid in cursor.fetchall()
        if (match := _CATEGORY_INDEX_NAME.match(name))
    ]


def _set_build_parameters(cursor) -> None:
    cursor.execute(
        "SELECT set_config('maintenance_work_mem', %s, false), "
        "set_config('max_parallel_maintenance_workers', %s, false)",
        [settings.VITRINE_HNSW_BUILD_MEMORY, str(settings.VITRINE_HNSW_BUILD_WORKERS)],
    )


def _rebuild(connection, cursor, index: HnswIndex) -> BuiltIndex:
    name, next_name = index.name, index.name + NEXT_SUFFIX
    # A build that failed or was killed leaves an invalid index of that name behind.
    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(next_name)}")
    building = index.clone()
    building.name = next_name
    built = _create(connection, cursor, building)
    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(name)}")
    cursor.execute(f"ALTER INDEX {quote_identifier(next_name)} RENAME TO {quote_identifier(name)}")
    return BuiltIndex(name, built.seconds, built.bytes)


def _create(connection, cursor, index: HnswIndex) -> BuiltIndex:
    with connection.schema_editor(atomic=False, collect_sql=False) as editor:
        statement = str(index.create_sql(ProductIndex, editor, concurrently=True))
    started = time.perf_counter()
    cursor.execute(statement)
    seconds = time.perf_counter() - started
    cursor.execute("SELECT pg_relation_size(%s::regclass)", [index.name])
    size = cursor.fetchone()[0]
    logger.info("Built %s in %.1f s (%d bytes).", index.name, seconds, size)
    return BuiltIndex(index.name, seconds, size)
