"""The shopper API under /api/v1/: the signed-in shopper's wishlist, cart, checkout and orders."""

from django.urls import path

from shop import api

urlpatterns = [
    path("wishlist/", api.WishlistView.as_view(), name="wishlist"),
    path("wishlist/<int:product_id>/", api.WishlistItemView.as_view(), name="wishlist-item"),
    path("cart/", api.CartView.as_view(), name="cart"),
    path("cart/lines/", api.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<int:line_id>/", api.CartLineView.as_view(), name="cart-line"),
    path("checkout/", api.CheckoutView.as_view(), name="checkout"),
    path("orders/", api.OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", api.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/cancel/", api.OrderCancelView.as_view(), name="order-cancel"),
]
