"""The merchant dashboard under /merchant/: products, their photos and stock, orders, search
analytics, and API tokens."""

from django.urls import path

from merchant.views import analytics, orders, products, tokens

app_name = "merchant"

urlpatterns = [
    path("", products.product_list, name="dashboard"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<str:sku>/", products.product_edit, name="product_edit"),
    path("products/<str:sku>/delete/", products.product_delete, name="product_delete"),
    path("products/<str:sku>/stock/", products.stock_update, name="stock_update"),
    path(
        "products/<str:sku>/photos/<int:image_id>/delete/",
        products.photo_delete,
        name="photo_delete",
    ),
    path(
        "products/<str:sku>/photos/<int:image_id>/move/",
        products.photo_move,
        name="photo_move",
    ),
    path("orders/", orders.order_list, name="orders"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/status/", orders.order_status, name="order_status"),
    path("search-analytics/", analytics.search_analytics_page, name="search_analytics"),
    path("api-tokens/", tokens.token_list, name="api_tokens"),
    path("api-tokens/<str:token_key>/revoke/", tokens.token_revoke, name="api_token_revoke"),
]
