"""The catalogue: merchants, the category tree, products and their photos."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from catalog.currencies import validate_currency, validate_price_decimals

CATEGORY_SEPARATOR = " > "
# A product URL's slug: long enough to read, short enough to share.
PRODUCT_SLUG_MAX_LENGTH = 80
# The slug of a title with nothing to slugify ("!!!"): the URL still has one.
PRODUCT_SLUG_FALLBACK = "product"

validate_sku = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    "A SKU is 1 to 64 letters, digits, dots, dashes or underscores, "
    "starting with a letter or digit.",
    code="bad_sku",
)


class Merchant(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant"
    )
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the category tree; `path` and `full_name` spell out its ancestry."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, allow_unicode=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Slugs joined by "/" ("apparel/topwear"): the URL, and a prefix match finds descendants.
    path = models.CharField(max_length=500, unique=True, editable=False)
    # Names joined by " > " ("Apparel > Topwear"), as shoppers and CSV files write it.
    full_name = models.CharField(max_length=500, editable=False)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", args=[self.path])

    def subtree(self) -> models.QuerySet["Category"]:
        """This category and all its descendants."""
        return Category.objects.filter(
            models.Q(pk=self.pk) | models.Q(path__startswith=self.path + "/")
        )

    def ancestors(self) -> list["Category"]:
        """From the root down to this category's parent."""
        prefixes = ["/".join(self.path.split("/")[:depth]) for depth in range(1, self.depth)]
        return list(Category.objects.filter(path__in=prefixes).order_by("path"))

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1


def price_field(**kwargs) -> models.DecimalField:
    """An optional price of 12 digits, 2 of them decimals, never negative."""
    return models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **kwargs,
    )


# What a merchant writes of a product, in the order forms and the API show it.
MERCHANT_FIELDS = (
    "sku",
    "title",
    "description",
    "category",
    "price",
    "currency",
    "stock",
    "status",
)


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField("SKU", max_length=64, validators=[validate_sku])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    # No price means "price on request": listed, but not for sale.
    price = price_field()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    stock = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Counts the writes to the row (catalog.services, checkout, cancellation): a form or API
    # client that read an older version is told of the change instead of overwriting it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "sku"], name="product_sku_unique_per_merchant"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0) | models.Q(price__isnull=True),
                name="product_price_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="product_status_newest")]

    def __str__(self) -> str:
        return f"{self.title} ({self.sku})"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"pk": self.pk, "slug": self.slug})

    def clean(self) -> None:
        # Forms, the API and the CSV import all save through full_clean (catalog.services).
        try:
            validate_price_decimals(self.price, self.currency)
        except ValidationError as error:
            raise ValidationError({"price": error}) from None

    @property
    def slug(self) -> str:
        """The URL's words, from the title: never stored, so a renamed product's old URLs
        redirect to the new one (catalog.views.storefront.product_detail)."""
        return product_slug(self.title)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def main_image(self) -> "ProductImage | None":
        # Uses the prefetched images when a view prefetched them.
        images = list(self.images.all())
        return images[0] if images else None


# A variant's options: at most this many names ("size", "colour", "material"), each value short.
MAX_OPTIONS = 3
OPTION_NAME_MAX_LENGTH = 30
OPTION_VALUE_MAX_LENGTH = 60


class Variant(models.Model):
    """One way to buy a product ("size: M, colour: black"), with its own SKU, stock and,
    optionally, price.

    A product with variants is sold only as one of them: its own `stock` is then the sum of
    theirs (kept by catalog.services and checkout in the same transaction, under the product's
    lock), so it is in stock when any variant is, and every page and filter that reads a
    product's stock keeps working. A variant without a price costs the product's price.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, validators=[validate_sku])
    # Option name (lower case) to value, as the merchant wrote it: {"size": "M"}.
    options = models.JSONField(default=dict)
    price = price_field(help_text="Empty: the product's price.")
    stock = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_sku_unique"),
            # Deferred: a save may swap two variants' options.
            models.UniqueConstraint(
                fields=["product", "options"],
                name="variant_options_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0) | models.Q(price__isnull=True),
                name="variant_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.title}, {self.label} ({self.sku})"

    @property
    def label(self) -> str:
        return options_label(self.options)

    @property
    def unit_price(self):
        return self.product.price if self.price is None else self.price


def options_label(options: dict[str, str]) -> str:
    """{"size": "M", "colour": "black"} -> "size M, colour black", as a shopper reads it."""
    return ", ".join(f"{name} {value}" for name, value in options.items())


def product_slug(title: str) -> str:
    """ "Red cotton kurta" -> "red-cotton-kurta"; letters of any script are kept, and a long
    title is cut at a word's end."""
    slug = slugify(title, allow_unicode=True)
    if len(slug) > PRODUCT_SLUG_MAX_LENGTH:
        cut = slug[: PRODUCT_SLUG_MAX_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:PRODUCT_SLUG_MAX_LENGTH]
    return slug.strip("-_") or PRODUCT_SLUG_FALLBACK


def product_image_path(image: "ProductImage", filename: str) -> str:
    # `filename` is already ours (a random hex name with the detected format's extension).
    return f"products/{image.product.merchant_id}/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to=product_image_path, max_length=255)
    # A small JPEG beside the original (catalog.images.make_thumbnail), for grids and cards.
    thumbnail = models.FileField(upload_to=product_image_path, max_length=255, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Content hash: a re-import of the same photo changes nothing.
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    # Stored by the CSV import: a later import's photo replaces this one, never the merchant's.
    imported = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product.sku} photo {self.position}"

    @property
    def thumbnail_url(self) -> str:
        return (self.thumbnail or self.image).url

    @property
    def file_names(self) -> list[str]:
        return [name for name in (self.image.name, self.thumbnail.name) if name]
