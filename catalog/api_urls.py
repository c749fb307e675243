"""The public catalogue API under /api/v1/: products and the category tree."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog import api

router = SimpleRouter()
router.register("products", api.ProductViewSet, basename="product")

urlpatterns = [
    path("categories/", api.CategoryTreeView.as_view(), name="category-tree"),
    *router.urls,
]
