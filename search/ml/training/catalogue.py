"""The catalogue as training reads it: the embedded products' vectors and words, in memory; a
sample of them past VITRINE_TRAINING_SAMPLE products."""

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db.models import Count, Max

from catalog.models import Category, Product
from search.db import binary_vector_cursor, estimated_index_rows
from search.ml.attributes import Attributes
from search.ml.colour import COLOUR_DIMS
from search.ml.kindness import Relatedness
from search.ml.product_terms import ProductTerms
from search.ml.training.pseudo_queries import TextQuery
from search.ml.vocabulary import Vocabulary
from search.models import ProductIndex, SearchEvent
from search.query_words import understand

# How much logged choices weigh in training (see logged_text_queries). Chosen for robustness,
# not measured: three searchers agreeing already make a choice as strong as it gets, and a
# fiftieth of the list is far above what any honest product earns among thousands of queries.
MAX_COPIES_PER_CHOICE = 3
MAX_PRODUCT_SHARE = 0.02


@dataclass
class CatalogueSnapshot:
    """n embedded products of one encoder version; zero vectors where a product has none."""

    product_ids: np.ndarray  # (n,)
    titles: list[str]
    categories: list[str]
    text: np.ndarray  # (n, d) product text vectors
    image: np.ndarray  # (n, image_dim) raw photo features
    colour: np.ndarray  # (n, COLOUR_DIMS)
    has_text: np.ndarray  # (n,) bool
    has_photo: np.ndarray  # (n,) bool
    # (n,) bool: the listing states its colours (search.ml.product_colours)
    states_colour: np.ndarray
    relatedness: Relatedness | None = None  # as search learns the live vocabulary with

    def __len__(self) -> int:
        return len(self.product_ids)

    @cached_property
    def terms(self) -> list[ProductTerms]:
        """Each product's words, as relevance labels read them."""
        return [
            ProductTerms.of(title, category)
            for title, category in zip(self.titles, self.categories, strict=True)
        ]

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The catalogue's words, learned from these products as search learns them live."""
        return Vocabulary.learn(self.titles, self.categories, self.relatedness)

    def kind_named(self, query: Attributes, row: int) -> float:
        """How surely a product is, by its own words, the kind a query asks for
        (Vocabulary.kind_named)."""
        return self.vocabulary.kind_named(query.kind_words, self.titles[row], self.categories[row])

    def attributes(self, row: int) -> Attributes:
        """What a product's own title and category say it is."""
        return self.vocabulary.attributes(self.titles[row], self.categories[row])

    def replace_photos(self, image: np.ndarray) -> None:
        """Take other photo features (a new photo encoder's) for every product."""
        self.image = image
        self.__dict__.pop("image_normalised", None)

    @cached_property
    def image_normalised(self) -> np.ndarray:
        norms = np.linalg.norm(self.image, axis=1, keepdims=True)
        return self.image / np.maximum(norms, 1e-9)


_SNAPSHOT_SQL = f"""
SELECT product.id, product.title, coalesce(category.full_name, ''),
       row.text_vector, row.photo_features, row.colour_vector, cardinality(row.colours) > 0
FROM {ProductIndex._meta.db_table} AS row {{sample}}
JOIN {Product._meta.db_table} AS product ON product.id = row.product_id
LEFT JOIN {Category._meta.db_table} AS category ON category.id = product.category_id
WHERE row.encoder_version = %s AND NOT row.dirty
  AND (row.text_vector IS NOT NULL OR row.photo_features IS NOT NULL)
  AND (row.photo_features IS NULL OR row.photo_version = %s)
ORDER BY product.id
"""
# A sample reads the table's pages that it draws (TABLESAMPLE SYSTEM), not every page: this many
# times the share of rows wanted, so that it comes back with enough rows to draw them from.
_PAGE_SAMPLE_MARGIN = 1.25


def load_snapshot(
    encoder_version: str,
    text_dim: int,
    image_dim: int,
    relatedness: Relatedness | None = None,
    *,
    photo_version: str = "",
    sample: int | None = None,
    seed: int = 0,
) -> CatalogueSnapshot:
    """The embedded products of the encoder; of those with photos, the ones whose photos the
    photo encoder `photo_version` encoded (search.models.ProductIndex.photo_version).

    Past `sample` products (by the planner's row count), a random sample of about that many:
    pages of the index table drawn at random (repeatable by `seed`), then rows drawn from
    theirs, so that reading costs the sample's size and not the catalogue's."""
    with binary_vector_cursor() as cursor:
        cursor.execute(_sampled_sql(cursor, sample, seed), [encoder_version, photo_version])
        rows = cursor.fetchall()
    if sample is not None and len(rows) > sample:
        kept = np.sort(np.random.default_rng(seed).choice(len(rows), sample, replace=False))
        rows = [rows[i] for i in kept]
    text = np.zeros((len(rows), text_dim), dtype=np.float32)
    image = np.zeros((len(rows), image_dim), dtype=np.float32)
    colour = np.zeros((len(rows), COLOUR_DIMS), dtype=np.float32)
    for i, (_, _, _, text_vector, photo_features, colour_vector, _) in enumerate(rows):
        if text_vector is not None:
            text[i] = text_vector
        if photo_features is not None:
            image[i] = photo_features
        if colour_vector is not None:
            colour[i] = colour_vector
    return CatalogueSnapshot(
        product_ids=np.array([row[0] for row in rows], dtype=np.int64),
        titles=[row[1] for row in rows],
        categories=[row[2] for row in rows],
        text=text,
        image=image,
        colour=colour,
        has_text=np.array([row[3] is not None for row in rows], dtype=bool),
        has_photo=np.array([row[4] is not None for row in rows], dtype=bool),
        states_colour=np.array([row[6] for row in rows], dtype=bool),
        relatedness=relatedness,
    )


def _sampled_sql(cursor, sample: int | None, seed: int) -> str:
    share = None
    if sample is not None and (rows := estimated_index_rows(cursor)) > sample:
        share = min(100.0, 100.0 * _PAGE_SAMPLE_MARGIN * sample / rows)
    return _SNAPSHOT_SQL.format(
        sample=f"TABLESAMPLE SYSTEM ({share:.6f}) REPEATABLE ({int(seed)})" if share else "",
    )


def logged_text_queries(snapshot: CatalogueSnapshot, limit: int) -> list[TextQuery]:
    """Text queries for which shoppers chose a result (a click or an add to cart), each with
    the chosen product's snapshot row, the choices of most searchers first.

    A choice counts once per distinct searcher, up to MAX_COPIES_PER_CHOICE times, and no
    product fills more than MAX_PRODUCT_SHARE of the list: many fake sessions pushing one
    product teach the head little."""
    rows = {int(product_id): row for row, product_id in enumerate(snapshot.product_ids)}
    choices = (
        SearchEvent.objects.filter(had_photo=False, product_id__in=rows)
        .exclude(query_text="")
        .values_list("query_text", "product_id")
        .annotate(searchers=Count("searcher", distinct=True), latest=Max("created_at"))
        .order_by("-searchers", "-latest")[:limit]
    )
    per_product = max(1, int(limit * MAX_PRODUCT_SHARE))
    taken: Counter[int] = Counter()
    queries: list[TextQuery] = []
    for text, product_id, searchers, _ in choices:
        copies = min(searchers, MAX_COPIES_PER_CHOICE, per_product - taken[product_id])
        if copies <= 0:
            continue
        taken[product_id] += copies
        # Read as search reads them: corrected, with the catalogue's words added.
        query = TextQuery(understand(text, snapshot.vocabulary).for_encoder, rows[product_id])
        queries.extend([query] * copies)
    return queries[:limit]
