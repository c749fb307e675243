"""The catalogue API under /api/v1/: the public catalogue and the merchant's own listings."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog import api

router = SimpleRouter()
router.register("products", api.ProductViewSet, basename="product")
router.register("merchant/products", api.MerchantProductViewSet, basename="merchant-product")

urlpatterns = [
    path("categories/", api.CategoryTreeView.as_view(), name="category-tree"),
    path("merchant/bulk/products/", api.BulkUpsertView.as_view(), name="merchant-bulk-upsert"),
    path(
        "merchant/products/<str:sku>/images/",
        api.ProductImagesView.as_view(),
        name="merchant-product-images",
    ),
    path(
        "merchant/products/<str:sku>/images/<int:image_id>/",
        api.ProductImageView.as_view(),
        name="merchant-product-image",
    ),
    *router.urls,
]
