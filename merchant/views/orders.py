"""The merchant's orders: only orders of their own products, with the status changes allowed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from merchant.access import merchant_required
from shop.models import Order
from shop.services import orders as order_services

ORDERS_PER_PAGE = 50
# The buttons a merchant sees, by the status they lead to.
ACTIONS = {
    Order.Status.SHIPPED: ("Mark shipped", order_services.ship),
    Order.Status.DELIVERED: ("Mark delivered", order_services.deliver),
    Order.Status.CANCELLED: ("Cancel order", order_services.cancel),
}


@merchant_required
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    orders = (
        Order.objects.filter(merchant=request.merchant)
        .select_related("user")
        .annotate(item_count=Count("lines"))
        .order_by("-placed_at", "-id")
    )
    if status in Order.Status.values:
        orders = orders.filter(status=status)
    else:
        status = ""
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "merchant/orders.html",
        {"page": page, "status": status, "statuses": Order.Status.choices},
    )


@merchant_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    actions = [(status, ACTIONS[status][0]) for status in order_services.next_statuses(order)]
    return render(request, "merchant/order_detail.html", {"order": order, "actions": actions})


@require_POST
@merchant_required
def order_status(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    target = request.POST.get("status", "")
    if target not in ACTIONS:
        raise Http404("No such status.")
    try:
        changed = ACTIONS[target][1](order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Order {changed.number} is {changed.get_status_display().lower()}."
        )
    return redirect("merchant:order", number=order.number)


def _own_order(request: HttpRequest, number: str) -> Order:
    # Another merchant's order is a 404: nothing tells it exists.
    return get_object_or_404(
        Order.objects.select_related("user").prefetch_related("lines"),
        merchant=request.merchant,
        number=number,
    )
