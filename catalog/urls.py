from django.urls import path

from catalog.views import dashboard, storefront

app_name = "catalog"

urlpatterns = [
    path("", storefront.home, name="home"),
    path("c/<path:path>/", storefront.category_detail, name="category"),
    path("products/<int:pk>/", storefront.product_detail, name="product"),
    path("merchant/", dashboard.product_list, name="dashboard"),
    path("merchant/products/new/", dashboard.product_create, name="product_create"),
    path("merchant/products/<str:sku>/", dashboard.product_edit, name="product_edit"),
    path("merchant/products/<str:sku>/delete/", dashboard.product_delete, name="product_delete"),
    path("merchant/products/<str:sku>/stock/", dashboard.stock_update, name="stock_update"),
    path(
        "merchant/products/<str:sku>/photos/<int:image_id>/delete/",
        dashboard.photo_delete,
        name="photo_delete",
    ),
    path(
        "merchant/products/<str:sku>/photos/<int:image_id>/move/",
        dashboard.photo_move,
        name="photo_move",
    ),
]
