"""The API under /api/: version 1, its OpenAPI schema and the docs page (served from here)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from merchant.api_auth import ObtainTokenView
from search.api import SimilarProductsView

urlpatterns = [
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("v1/search/", include("search.api_urls")),
    # Before the catalogue's routes: search answers for the similar products.
    path("v1/products/<int:pk>/similar/", SimilarProductsView.as_view(), name="product-similar"),
    path("v1/merchant/", include("merchant.api_urls")),
    path("v1/", include("shop.api_urls")),
    path("v1/", include("catalog.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
