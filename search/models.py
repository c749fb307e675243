"""The search index: one row per product, owned by search, kept in step by the dirty flag."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Now
from pgvector.django import HnswIndex

from catalog.models import Product
from search.fields import EncoderVectorField


class ProductIndex(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        INDEXED = "indexed", "Indexed"
        ERROR = "error", "Error"

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="search_index"
    )
    text_vector = EncoderVectorField(space="text", null=True)
    image_vector = EncoderVectorField(space="image", null=True)
    fused_vector = EncoderVectorField(space="fused", null=True)
    # Title (weight A) above category (B) above description (C).
    keywords = SearchVectorField(null=True)
    # The encoder that made the vectors: search never compares vectors of two versions.
    encoder_version = models.CharField(max_length=200, blank=True)
    # Set in the transaction that changed the listing; cleared when its vectors are written.
    dirty = models.BooleanField(default=True)
    changed_at = models.DateTimeField(db_default=Now())
    indexed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "product index row"
        indexes = [
            GinIndex(fields=["keywords"], name="productindex_keywords"),
            models.Index(
                fields=["changed_at"], condition=models.Q(dirty=True), name="productindex_dirty"
            ),
            HnswIndex(
                fields=["text_vector"],
                name="productindex_text_hnsw",
                opclasses=["vector_cosine_ops"],
            ),
            HnswIndex(
                fields=["image_vector"],
                name="productindex_image_hnsw",
                opclasses=["vector_cosine_ops"],
            ),
            HnswIndex(
                fields=["fused_vector"],
                name="productindex_fused_hnsw",
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"index row of product {self.product_id}"

    @property
    def state(self) -> "ProductIndex.State":
        if self.error:
            return self.State.ERROR
        return self.State.PENDING if self.dirty else self.State.INDEXED
