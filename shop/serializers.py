"""The shopper API's representations: the wishlist's saved products, the cart and its lines,
checkout's request and the orders it places. The changes themselves are shop.services' (called
by shop.api), never a serializer's."""

from decimal import Decimal

from django.core import validators
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from catalog.models import Product, Variant
from catalog.selectors import listed_products
from catalog.serializers import (
    CurrencyField,
    OptionsField,
    PublicProductSerializer,
    PublicVariantSerializer,
    absolute_url,
)
from core.api_input import JsonTypesChecked
from shop.models import ADDRESS_FIELDS, CartLine, Order, OrderLine, WishlistItem
from shop.payment import PAYMENT_METHODS
from shop.services import orders as order_services
from shop.services.cart import LineChange, max_units_per_line

MAX_ID = 2**31 - 1
# An email address of the usual form, name@example.com (spaces around are trimmed): the schema
# can say exactly what it takes, and every address it takes passes Django's own check too.
EMAIL_PATTERN = (
    r"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\s*$"
)


def product_on_sale(product_id: int) -> Product:
    # A well-formed id of no product on sale names a resource not found (404), as an unknown
    # product's page is.
    product = listed_products().filter(pk=product_id).first()
    if product is None:
        raise NotFound("There is no product on sale with this id.", code="unknown_product")
    return product


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **kwargs)


def capped_quantity(**kwargs) -> serializers.IntegerField:
    """A quantity from 1 to the units one order may take (a setting, so made per serializer)."""
    cap = max_units_per_line()
    return serializers.IntegerField(
        min_value=1, max_value=cap, help_text=f"From 1 to {cap}.", **kwargs
    )


# Wishlist


class WishlistItemSerializer(serializers.ModelSerializer):
    """A saved product, as the catalogue API shows it, and when it was saved."""

    product = PublicProductSerializer(read_only=True)

    class Meta:
        model = WishlistItem
        fields = ["product", "added_at"]
        read_only_fields = fields


class WishlistAddSerializer(JsonTypesChecked, serializers.Serializer):
    """A product to save."""

    product = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of a product on sale."
    )

    def validate_product(self, product_id: int) -> Product:
        return product_on_sale(product_id)


# Cart


class CartProductSerializer(serializers.ModelSerializer):
    """The product of a cart line: enough to show and link it."""

    url = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField(help_text="Its main photo's thumbnail, if any.")

    class Meta:
        model = Product
        fields = ["id", "sku", "title", "url", "image"]
        read_only_fields = fields

    def get_url(self, product: Product) -> str:
        return absolute_url(self, product.get_absolute_url())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image(self, product: Product) -> str | None:
        image = product.main_image
        return absolute_url(self, image.thumbnail_url) if image else None


class CartLineSerializer(serializers.ModelSerializer):
    """Some units of a product, or of one of its variants, at today's price."""

    product = CartProductSerializer(read_only=True)
    variant = PublicVariantSerializer(
        read_only=True, allow_null=True, help_text="The variant chosen; null for a product without."
    )
    unit_price = money(allow_null=True, help_text="Null once the price is on request.")
    currency = serializers.CharField(source="product.currency", read_only=True)
    line_total = money(source="subtotal", allow_null=True)

    class Meta:
        model = CartLine
        fields = ["id", "product", "variant", "quantity", "unit_price", "currency", "line_total"]
        read_only_fields = fields


class ChangedLineSerializer(CartLineSerializer):
    """A cart line after an add or a change of quantity."""

    limited_from = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The quantity you asked for when the stock, or the units one order may take, "
        "allowed less (`quantity` then says how many the line holds); null otherwise.",
    )

    class Meta(CartLineSerializer.Meta):
        fields = [*CartLineSerializer.Meta.fields, "limited_from"]
        read_only_fields = fields

    def to_representation(self, change: LineChange) -> dict:
        line = super().to_representation(change.line)
        line["limited_from"] = change.limited_from
        return line


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True, read_only=True, help_text="Oldest first.")
    total = money(help_text="The lines' total (a cart holds one currency).")
    currency = serializers.CharField(read_only=True, help_text='Empty ("") for an empty cart.')


class CartLineAddSerializer(JsonTypesChecked, serializers.Serializer):
    """A product (one of its variants, for a product with variants) and how many to add."""

    product = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of a product on sale."
    )
    variant = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of one of the product's variants: required for a product with "
        "variants (`choose_variant`), refused for another product's (`no_such_variant`).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = capped_quantity(default=1)

    def validate_product(self, product_id: int) -> Product:
        return product_on_sale(product_id)

    def validate_variant(self, variant_id: int | None) -> Variant | None:
        if variant_id is None:
            return None
        variant = Variant.objects.filter(pk=variant_id).first()
        if variant is None:
            raise NotFound("There is no variant with this id.", code="unknown_variant")
        return variant


class CartLineQuantitySerializer(JsonTypesChecked, serializers.Serializer):
    """The line's new quantity (remove the line to have none)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = capped_quantity()


# Checkout


class ShownPriceSerializer(JsonTypesChecked, serializers.Serializer):
    """A cart line's price as the shopper was shown it."""

    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A cart line's id.")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    currency = CurrencyField()


class CheckoutSerializer(JsonTypesChecked, serializers.ModelSerializer):
    """Where the orders go and how they are paid, as the checkout page asks, and the prices the
    shopper was shown."""

    email = serializers.CharField(
        max_length=Order._meta.get_field("email").max_length,
        validators=[validators.RegexValidator(EMAIL_PATTERN, "Enter a valid email address.")],
        help_text="Where the order emails go.",
    )
    payment_method = serializers.ChoiceField(
        choices=[(code, method.label) for code, method in PAYMENT_METHODS.items()]
    )
    shown_prices = ShownPriceSerializer(
        many=True,
        help_text="Each cart line's `unit_price` and `currency` as you showed them (from "
        "`GET /api/v1/cart/`): the orders are placed only at those. A line whose price or "
        "currency changed since, or that is not listed, refuses the checkout (`price_changed`).",
    )

    class Meta:
        model = Order
        fields = ["email", *ADDRESS_FIELDS, "payment_method", "shown_prices"]

    def validate_email(self, email: str) -> str:
        validators.validate_email(email)  # the page's check, which every address above passes
        return email

    def shown_prices_of(self, lines: list[CartLine]) -> dict[str, tuple[Decimal, str]]:
        """The shown prices by each line's `price_key`, as the checkout service reads them."""
        shown = {
            item["line"]: (item["unit_price"], item["currency"])
            for item in self.validated_data["shown_prices"]
        }
        return {line.price_key: shown[line.pk] for line in lines if line.pk in shown}

    def address(self) -> dict[str, str]:
        return {name: self.validated_data.get(name, "") for name in ADDRESS_FIELDS}


# Orders


class OrderLineSerializer(serializers.ModelSerializer):
    """A product as it was sold: its title, SKU, options and price at checkout."""

    options = OptionsField(
        read_only=True, min_length=0, help_text="The variant's options; none without a variant."
    )
    line_total = money(source="subtotal")

    class Meta:
        model = OrderLine
        fields = [
            "product",
            "variant",
            "sku",
            "title",
            "options",
            "unit_price",
            "quantity",
            "line_total",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "product": {"help_text": "Its id; null once the product is deleted."},
            "variant": {"help_text": "Its id; null for none, or once the variant is deleted."},
        }


class OrderSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.name", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    can_cancel = serializers.SerializerMethodField(help_text="Until it ships.")
    url = serializers.SerializerMethodField(help_text="The order's page.")

    class Meta:
        model = Order
        fields = [
            "number",
            "status",
            "merchant",
            "placed_at",
            "shipped_at",
            "delivered_at",
            "cancelled_at",
            "payment_method",
            "payment_status",
            "currency",
            "total",
            "email",
            *ADDRESS_FIELDS,
            "lines",
            "can_cancel",
            "url",
        ]
        read_only_fields = fields

    def get_can_cancel(self, order: Order) -> bool:
        return order_services.can_cancel(order)

    def get_url(self, order: Order) -> str:
        return absolute_url(self, order.get_absolute_url())


class CheckoutResultSerializer(serializers.Serializer):
    orders = OrderSerializer(
        many=True, read_only=True, help_text="One order for each merchant in the cart."
    )
