"""Admin for carts, wishlists and orders. Status changes go through shop.services.orders, so
stock and emails follow; an order's contents are read-only (what was sold stays as it was
sold)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from shop.models import Cart, CartLine, Order, OrderLine, WishlistItem
from shop.services import orders as order_services


class CartLineInline(admin.TabularInline):
    model = CartLine
    raw_id_fields = ["product"]
    extra = 0


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "updated_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    inlines = [CartLineInline]


@admin.register(WishlistItem)
class WishlistItemAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "added_at"]
    search_fields = ["user__username", "product__title", "product__sku"]
    raw_id_fields = ["user", "product"]
    list_select_related = ["user", "product"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ["product", "sku", "title", "unit_price", "quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _status_action(move, label: str):
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        for order in queryset:
            try:
                move(order)
            except ValidationError as error:
                modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                modeladmin.message_user(request, f"Order {order.number}: {label.lower()}.")

    action.__name__ = f"mark_{move.__name__}"
    return admin.action(description=label)(action)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "placed_at", "user", "merchant", "total", "currency", "status"]
    list_filter = ["status", "merchant"]
    search_fields = ["number", "user__username", "email", "full_name"]
    inlines = [OrderLineInline]
    actions = [
        _status_action(order_services.ship, "Mark shipped"),
        _status_action(order_services.deliver, "Mark delivered"),
        _status_action(order_services.cancel, "Cancel, restoring stock"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Status, payment and money only change through the services (the actions above).
        return [field.name for field in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
