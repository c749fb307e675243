"""The shopper's orders: history, detail, and cancelling one not yet shipped."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.throttling import OrderThrottle, throttled
from shop.models import Order
from shop.selectors import shopper_orders
from shop.services import orders as order_services

ORDERS_PER_PAGE = 20


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = shopper_orders(request.user).annotate(item_count=Count("lines"))
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "shop/order_list.html", {"page": page})


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    return render(
        request,
        "shop/order_detail.html",
        {
            "order": order,
            "can_cancel": order_services.can_cancel(order),
        },
    )


@require_POST
@login_required
@throttled(OrderThrottle)
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    try:
        order_services.cancel(order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Order {order.number} is cancelled.")
    return redirect(order)


def _own_order(request: HttpRequest, number: str) -> Order:
    # Another shopper's order is a 404.
    return get_object_or_404(
        shopper_orders(request.user).prefetch_related("lines__product__images"), number=number
    )
