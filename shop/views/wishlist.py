"""The shopper's wishlist page, and the save and remove buttons of product pages and cards.
A visitor who is not signed in is sent to log in, and comes back to the page they were on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.throttling import WishlistThrottle, throttled
from shop.forms import WishlistAddForm
from shop.selectors import wishlist_items
from shop.services import wishlist as wishlists
from shop.views.common import safe_next

ITEMS_PER_PAGE = 24


@login_required
def wishlist_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(wishlist_items(request.user), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    products = [item.product for item in page.object_list]
    return render(request, "shop/wishlist.html", {"page": page, "products": products})


@require_POST
@throttled(WishlistThrottle)
def add(request: HttpRequest) -> HttpResponse:
    back = safe_next(request) or reverse("shop:wishlist")
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    form = WishlistAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That product cannot be saved.")
        return redirect(back)
    product = form.cleaned_data["product"]
    try:
        wishlists.save_to_wishlist(request.user, product)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Saved {product.title} to your wishlist.")
    return redirect(back)


@require_POST
@throttled(WishlistThrottle)
def remove(request: HttpRequest, product_id: int) -> HttpResponse:
    back = safe_next(request) or reverse("shop:wishlist")
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if wishlists.remove_from_wishlist(request.user, product_id):
        messages.success(request, "Removed from your wishlist.")
    return redirect(back)
