from django.urls import path

from catalog.views import storefront

app_name = "catalog"

urlpatterns = [
    path("", storefront.home, name="home"),
    path("c/<path:path>/", storefront.category_detail, name="category"),
    path("products/<int:pk>-<str:slug>/", storefront.product_detail, name="product"),
    # The URL before slugs (and any link that drops the slug): redirects to the one above.
    path("products/<int:pk>/", storefront.product_detail, name="product_short"),
]
