"""Checkout (the shipping address and payment) and the thank-you page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.selectors import email_to_verify, has_verified_email
from core.throttling import OrderThrottle, throttled
from shop.forms import CheckoutForm
from shop.models import ADDRESS_FIELDS, Order
from shop.selectors import cart_lines, cart_total
from shop.services import cart as carts
from shop.services.checkout import place_order

# The numbers of the orders the session just placed, for the thank-you page.
PLACED_KEY = "placed_orders"


@login_required
@throttled(OrderThrottle)  # its POSTs: showing the page is free
def checkout(request: HttpRequest) -> HttpResponse:
    cart = carts.current_cart(request.user, request.session)
    lines = cart_lines(cart)
    if not lines:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")
    initial = {**_last_address(request), "shown_prices": CheckoutForm.encode_prices(lines)}
    form = CheckoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            orders = place_order(
                cart,
                request.user,
                email=form.cleaned_data["email"],
                address=form.address(),
                payment_method_code=form.cleaned_data["payment_method"],
                shown_prices=form.cleaned_data["shown_prices"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            # Refused for the email alone: back here, where the notice offers a new link.
            unverified = getattr(error, "code", None) == "email_unverified"
            return redirect("shop:checkout" if unverified else "shop:cart")
        request.session[PLACED_KEY] = [order.number for order in orders]
        return redirect("shop:order_placed")
    context = {"form": form, "lines": lines, **cart_total(lines)}
    if not has_verified_email(request.user):
        context.update(email_unverified=True, email_to_verify=email_to_verify(request.user))
    return render(request, "shop/checkout.html", context)


@login_required
def order_placed(request: HttpRequest) -> HttpResponse:
    numbers = request.session.get(PLACED_KEY, [])
    orders = (
        Order.objects.filter(user=request.user, number__in=numbers)
        .select_related("merchant")
        .prefetch_related("lines__product")  # for the links to the products' pages
    )
    if not orders:
        return redirect("shop:order_list")
    return render(request, "shop/order_placed.html", {"orders": orders})


def _last_address(request: HttpRequest) -> dict[str, str]:
    """The shopper's last shipping address and email, or their account's email."""
    last = Order.objects.filter(user=request.user).values("email", *ADDRESS_FIELDS).first()
    return last or {"email": request.user.email}
