"""The shopper's pages: cart, wishlist, checkout, orders."""

from django.urls import path

from shop.views import cart, checkout, orders, wishlist

app_name = "shop"

urlpatterns = [
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.add, name="cart_add"),
    path("cart/lines/<int:line_id>/", cart.update, name="cart_update"),
    path("cart/lines/<int:line_id>/remove/", cart.remove, name="cart_remove"),
    path("wishlist/", wishlist.wishlist_page, name="wishlist"),
    path("wishlist/add/", wishlist.add, name="wishlist_add"),
    path("wishlist/<int:product_id>/remove/", wishlist.remove, name="wishlist_remove"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/thank-you/", checkout.order_placed, name="order_placed"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path("orders/<str:number>/cancel/", orders.order_cancel, name="order_cancel"),
]
