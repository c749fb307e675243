"""The shopper API under /api/v1/: the signed-in shopper's wishlist."""

from django.urls import path

from shop import api

urlpatterns = [
    path("wishlist/", api.WishlistView.as_view(), name="wishlist"),
    path("wishlist/<int:product_id>/", api.WishlistItemView.as_view(), name="wishlist-item"),
]
