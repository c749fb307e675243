"""Carts, wishlists and orders. The operations that change them are in shop.services."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from catalog.models import Merchant, Product, Variant, options_label
from shop.payment import PAYMENT_METHODS, PaymentStatus


class Cart(models.Model):
    """A shopper's cart: a signed-in user's (one each), or an anonymous session's, whose id the
    session keeps until login merges it into the user's cart."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.user or 'an anonymous session'}"


class CartLine(models.Model):
    """Some units of a product, or of one of its variants when it has them."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cart_lines")
    # A deleted variant leaves the carts that held it.
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="cart_lines"
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product"],
                condition=models.Q(variant__isnull=True),
                name="cartline_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["cart", "variant"],
                condition=models.Q(variant__isnull=False),
                name="cartline_one_per_variant",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cartline_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def unit_price(self) -> Decimal | None:
        # The variant's own price, else its product's (read through the line's own product).
        variant_price = self.variant.price if self.variant is not None else None
        return self.product.price if variant_price is None else variant_price

    @property
    def sku(self) -> str:
        return self.product.sku if self.variant is None else self.variant.sku

    @property
    def stock(self) -> int:
        """What the shopper can buy of the line's product or variant."""
        return self.product.stock if self.variant is None else self.variant.stock

    @property
    def price_key(self) -> str:
        """Names the line's price in the checkout page's shown prices: "12", or "12:7" for
        variant 7 of product 12."""
        return str(self.product_id) + (f":{self.variant_id}" if self.variant_id else "")

    @property
    def subtotal(self) -> Decimal | None:
        price = self.unit_price
        return None if price is None else price * self.quantity


class WishlistItem(models.Model):
    """A product a signed-in shopper saved for later. Deleting the product deletes it; a product
    taken off sale (a draft) stays saved but is not listed until it is on sale again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_items"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="wishlist_items")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="wishlist_one_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} saved by {self.user_id}"


class ShippingAddress(models.Model):
    """Where an order goes; copied into the order, so a later change elsewhere never moves it."""

    full_name = models.CharField(max_length=150)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=60)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        abstract = True


ADDRESS_FIELDS = [field.name for field in ShippingAddress._meta.fields]


class Order(ShippingAddress):
    """What one merchant owes one shopper from one checkout: a checkout with several merchants'
    products places one order per merchant, as each merchant ships their own."""

    class Status(models.TextChoices):
        PLACED = "placed", "Placed"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED)
    # shop.payment: the method's code, and where its money stands.
    payment_method = models.CharField(
        max_length=30, choices=[(code, method.label) for code, method in PAYMENT_METHODS.items()]
    )
    payment_status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.DUE
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    placed_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="order_user_newest"),
            models.Index(fields=["merchant", "-placed_at"], name="order_merchant_newest"),
        ]

    def __str__(self) -> str:
        return f"order {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("shop:order_detail", args=[self.number])


class OrderLine(models.Model):
    """A product as it was sold: its title, SKU and price are copied at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Kept when the product is later deleted: the line still says what was sold.
    product = models.ForeignKey(
        Product, null=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    sku = models.CharField("SKU", max_length=64)
    title = models.CharField(max_length=200)
    # The variant's options as sold ({"size": "M"}; empty for a product without variants).
    options = models.JSONField(default=dict, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title} ({self.sku})"

    @property
    def options_label(self) -> str:
        return options_label(self.options)

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


class CheckoutKey(models.Model):
    """The `Idempotency-Key` an API checkout came with, saved in the checkout's own transaction:
    a retry with the same key (a lost answer, a timeout) gets the orders that checkout placed
    instead of placing more. A checkout that was refused leaves no key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkout_keys"
    )
    key = models.CharField(max_length=255)
    # The request's body, hashed: the same key with another body is a client's mistake.
    request_hash = models.CharField(max_length=64)
    order_numbers = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="checkoutkey_one_per_user")
        ]

    def __str__(self) -> str:
        return f"checkout key {self.key!r} of {self.user_id}"
