"""The cart page and its forms; every change redirects (no resubmit on reload)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Product
from catalog.selectors import OPTION_PARAMETER
from core.throttling import CartThrottle, throttled
from search import result_tokens
from search.models import SearchEvent
from search.services import log_search_event
from shop.forms import AddToCartForm, QuantityForm
from shop.models import CartLine
from shop.selectors import cart_line, cart_lines, cart_total
from shop.services import cart as carts
from shop.views.common import safe_next


def cart_page(request: HttpRequest) -> HttpResponse:
    lines = cart_lines(carts.current_cart(request.user, request.session))
    for line in lines:
        line.form = QuantityForm(initial={"quantity": line.quantity}, prefix=f"line-{line.pk}")
    return render(request, "shop/cart.html", {"lines": lines, **cart_total(lines)})


@require_POST
@throttled(CartThrottle)
def add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That product cannot be added to the cart.")
        return redirect("shop:cart")
    data = form.cleaned_data
    product = data["product"]
    choice = _choice_url(product, form.chosen_options())
    if "show" in request.POST:  # the product page without its script: show the choice
        return redirect(choice)
    # Read before the cart may start a session: the token names the searcher as it was.
    shown = _shown_by_search(request, data["search_token"])
    cart = carts.current_cart(request.user, request.session, create=True)
    try:
        change = carts.add_to_cart(cart, product, data["quantity"], form.chosen_variant())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(choice)
    if shown is not None and product.pk in shown.product_ids:
        log_search_event(shown, product, SearchEvent.Action.ADD_TO_CART)
    _report(request, change, f"Added {product.title} to your cart.")
    return redirect(safe_next(request) or "shop:cart")


@require_POST
@throttled(CartThrottle)
def update(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _own_line(request, line_id)
    form = QuantityForm(request.POST, prefix=f"line-{line.pk}")
    if not form.is_valid():
        messages.error(request, f"Choose a quantity from 0 to {carts.max_units_per_line()}.")
        return redirect("shop:cart")
    try:
        change = carts.set_quantity(line, form.cleaned_data["quantity"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _report(request, change, "Cart updated.")
    return redirect("shop:cart")


@require_POST
@throttled(CartThrottle)
def remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _own_line(request, line_id)
    carts.remove_line(line)
    messages.success(request, f"Removed {line.product.title} from your cart.")
    return redirect("shop:cart")


def _choice_url(product: Product, options: dict[str, str]) -> str:
    """The product's page with these options chosen."""
    query = urlencode({OPTION_PARAMETER + name: value for name, value in options.items()})
    return product.get_absolute_url() + (f"?{query}" if query else "")


def _own_line(request: HttpRequest, line_id: int) -> CartLine:
    # A line of another cart is a 404, as if it did not exist.
    line = cart_line(carts.current_cart(request.user, request.session), line_id)
    if line is None:
        raise Http404("No such line in your cart.")
    return line


def _report(request: HttpRequest, change: carts.LineChange, done: str) -> None:
    if change.limited_from is not None and change.line is not None:
        if change.line.quantity == carts.max_units_per_line():
            messages.warning(
                request,
                f"At most {change.line.quantity} of {change.line.product.title} can be ordered "
                f"at once: your cart holds {change.line.quantity}.",
            )
            return
        messages.warning(
            request,
            f"Only {change.line.quantity} of {change.line.product.title} can be bought now: "
            f"your cart holds {change.line.quantity}.",
        )
    else:
        messages.success(request, done)


def _shown_by_search(request: HttpRequest, token: str) -> result_tokens.ShownResults | None:
    """The search answer an add came from, when its token is valid and this shopper's: then the
    add counts for the ranking; otherwise it is an add like any other."""
    if not token:
        return None
    try:
        return result_tokens.read(token, request)
    except result_tokens.InvalidResultToken:
        return None
