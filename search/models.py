"""The search index: one row per product, owned by search, kept in step by the dirty flag."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Now
from pgvector.django import HnswIndex, VectorField

from catalog.models import Category, Merchant, Product
from search.fields import EncoderVectorField
from search.indexed_vector import IndexedVector
from search.ml.colour import COLOUR_DIMS

# The HNSW index of the rows that no words describe: only their photos (the photo-only source).
PHOTO_ONLY_INDEX = "productindex_photo_only_hnsw"


def _half_precision(column: str) -> OpClass:
    """What an HNSW index of a text-space vector column holds (search.indexed_vector)."""
    return OpClass(IndexedVector(column, space="text"), name="halfvec_cosine_ops")


class ProductIndex(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        INDEXED = "indexed", "Indexed"
        ERROR = "error", "Error"

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="search_index"
    )
    # The product's text.
    text_vector = EncoderVectorField(space="text", null=True)
    # Its photos in the image encoder's own space: exact photo-to-photo comparison of
    # candidates, and the input of the photo-to-text map. No index: keeping a 1280-d HNSW index
    # cost 19 ms a product on 2 cores, more than all the model work (12 ms).
    photo_features = EncoderVectorField(space="image", null=True)
    # Its photos mapped into the text space: how a text query finds a product by its photo.
    photo_text_vector = EncoderVectorField(space="text", null=True)
    # The photos' colours (search.ml.colour): a photo query's colour match, and part of what the
    # trained map reads.
    colour_vector = VectorField(dimensions=COLOUR_DIMS, null=True)
    # The trained map that made photo_text_vector ("" for the zero-shot one).
    map_version = models.CharField(max_length=40, blank=True, db_default="")
    # The fine-tuned photo encoder that made photo_features: the search model that trained it
    # ("" for the encoder's own). Photos of two versions are never compared.
    photo_version = models.CharField(max_length=40, blank=True, db_default="")
    # A new photo encoder's vectors, written beside the served ones until every row has them;
    # then they replace them in one step (search.ml.photo_versions).
    next_photo_features = EncoderVectorField(space="image", null=True)
    next_photo_text_vector = EncoderVectorField(space="text", null=True)
    next_photo_version = models.CharField(max_length=40, blank=True, db_default="")
    # Title (weight A) above category (B) above description (C).
    keywords = SearchVectorField(null=True)
    # Its colour families as its listing states them (search.ml.product_colours), written with
    # its vectors: what the colour facet counts and its filter finds (`@>`, by the GIN index).
    # Defaults in the database too: rows are also inserted in SQL (search.services.mark_stale).
    colours = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, db_default=Value([])
    )
    # Its category and that category's ancestors (ids), set with its keywords whenever the
    # product or its category changes: a category filter is one containment test (`@>`) on the
    # row itself, served by the GIN index, and by a category's own HNSW indexes where it has
    # them (search.vector_indexes).
    categories = ArrayField(models.IntegerField(), default=list, blank=True, db_default=Value([]))
    # The encoder that made the vectors: search never compares vectors of two versions.
    encoder_version = models.CharField(max_length=200, blank=True)
    # Set in the transaction that changed the product; cleared when its vectors are written.
    dirty = models.BooleanField(default=True)
    # Flagged by a change of many products at once (an import, a re-embedding of everything)
    # rather than an edit of this one: workers take single edits first (search.indexing).
    bulk = models.BooleanField(db_default=False)
    changed_at = models.DateTimeField(db_default=Now())
    indexed_at = models.DateTimeField(null=True, blank=True)
    # A worker that took the row for embedding holds it until then; a crashed worker's
    # lease runs out and another worker takes the row.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Leases taken and not finished: a product that crashes its worker counts up, and is set
    # aside after VITRINE_EMBED_MAX_ATTEMPTS (search.indexing).
    lease_attempts = models.PositiveSmallIntegerField(db_default=0)
    # Why the last embedding was incomplete (a photo that does not decode, say).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "product index row"
        indexes = [
            GinIndex(fields=["keywords"], name="productindex_keywords"),
            GinIndex(fields=["colours"], name="productindex_colours"),
            GinIndex(fields=["categories"], name="productindex_categories"),
            # The dirty rows, single edits apart from bulk ones, each oldest first.
            models.Index(
                fields=["bulk", "changed_at"],
                condition=models.Q(dirty=True),
                name="productindex_dirty",
            ),
            # The dirty rows leased and not written: being embedded, or suspects whose lease ran
            # out (search.indexing). A few rows: each lease finds the suspects at once, however
            # long an import's backlog (a scan of 100,000 dirty rows took 9 ms, twice a lease).
            models.Index(
                fields=["changed_at"],
                condition=models.Q(dirty=True, lease_attempts__gt=0),
                name="productindex_leased",
            ),
            # Each in half precision (search.indexed_vector).
            HnswIndex(
                _half_precision("text_vector"),
                name="productindex_text_hnsw",
            ),
            HnswIndex(
                _half_precision("photo_text_vector"),
                name="productindex_photo_hnsw",
            ),
            # Products that only their photo describes: their own candidate source.
            HnswIndex(
                _half_precision("photo_text_vector"),
                name=PHOTO_ONLY_INDEX,
                condition=models.Q(text_vector__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"index row of product {self.product_id}"

    @property
    def state(self) -> "ProductIndex.State":
        if self.dirty:
            return self.State.PENDING
        return self.State.ERROR if self.error else self.State.INDEXED

    def get_state_display(self) -> str:
        return self.State(self.state).label


class SearchEvent(models.Model):
    """A shopper's click on a result, or add-to-cart from results: training data for the head."""

    class Action(models.TextChoices):
        CLICK = "click", "Click"
        ADD_TO_CART = "add_to_cart", "Add to cart"

    query_text = models.CharField(max_length=200, blank=True)
    had_photo = models.BooleanField(default=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="search_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    position = models.PositiveIntegerField()  # 0-based rank on the results page
    # Who searched (search.result_tokens.searcher_of): an event counts once per searcher.
    searcher = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["searcher", "product", "query_text", "had_photo", "action"],
                condition=~models.Q(searcher=""),
                name="searchevent_once_per_searcher",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.product_id} for {self.query_text!r}"


class SearchLog(models.Model):
    """One search answered by the search page or the API (its first page): what was asked, how
    it went, and which products it showed; kept VITRINE_SEARCH_LOG_RETENTION_DAYS. It names the
    searcher only by search.result_tokens.searcher_of's hash: no address, account or browser."""

    class Source(models.TextChoices):
        PAGE = "page", "Search page"
        API = "api", "API"

    query_text = models.CharField(max_length=200, blank=True)  # as typed, spaces tidied
    corrected_query = models.CharField(max_length=400, blank=True)  # "" when nothing was
    had_photo = models.BooleanField(default=False)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    min_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    in_stock = models.BooleanField(default=False)
    # A family (search.ml.lexicon). Defaults in the database too, as for ProductIndex.colours:
    # processes of the previous release log on while the migration runs.
    colour = models.CharField(max_length=20, blank=True, db_default="")
    # The variant options asked for in stock, as Variant.options writes them: {"size": "M"}.
    options = models.JSONField(default=dict, blank=True, db_default=Value({}, models.JSONField()))
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_count = models.PositiveIntegerField()  # as search counted them
    took_ms = models.FloatField()
    # The first page's products: which merchants' products a query showed (merchant analytics).
    shown_product_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    searcher = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            # "Searches that showed any of these products" (the && operator).
            GinIndex(fields=["shown_product_ids"], name="searchlog_shown_products"),
            # The shop's zero-result queries over a period.
            models.Index(
                fields=["created_at"],
                condition=models.Q(result_count=0),
                name="searchlog_zero_results",
            ),
        ]

    def __str__(self) -> str:
        return f"search for {self.query_text!r} ({self.result_count} results)"
