"""The merchant API under /api/v1/merchant/: a merchant's own products and their photos, and
their search analytics."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from merchant import api

router = SimpleRouter()
router.register("products", api.MerchantProductViewSet, basename="merchant-product")

urlpatterns = [
    path("bulk/products/", api.BulkUpsertView.as_view(), name="merchant-bulk-upsert"),
    path(
        "products/<str:sku>/images/",
        api.ProductImagesView.as_view(),
        name="merchant-product-images",
    ),
    path(
        "products/<str:sku>/images/<int:image_id>/",
        api.ProductImageView.as_view(),
        name="merchant-product-image",
    ),
    path("search-analytics/", api.SearchAnalyticsView.as_view(), name="merchant-search-analytics"),
    *router.urls,
]
