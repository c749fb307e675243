"""What the catalogue's pages tell search engines and link previews: the canonical URL,
OpenGraph and Twitter tags (templates/_page_meta.html renders a PageMeta), and the product's
schema.org JSON-LD. Built here, so that templates only print it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import Truncator

from catalog.currencies import currency_decimals
from catalog.models import Category, Product
from catalog.selectors import option_query
from catalog.variants import format_options

SITE_NAME = "Vitrine"
# Link previews show about this much; search engines cut meta descriptions near it too.
DESCRIPTION_CHARS = 200
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"

# request.build_absolute_uri, or anything else that makes a path absolute.
AbsoluteUri = Callable[[str], str]


@dataclass(frozen=True)
class PageMeta:
    title: str
    # Absolute: the canonical link and og:url.
    url: str
    type: str = "website"
    description: str = ""
    image: str = ""
    # More OpenGraph properties, in order: (property, content).
    extra: list[tuple[str, str]] = field(default_factory=list)
    # A page only its owner sees (a draft product): no search engine should keep it.
    noindex: bool = False

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def home_meta(absolute_uri: AbsoluteUri) -> PageMeta:
    return PageMeta(title=SITE_NAME, url=absolute_uri(reverse("catalog:home")))


def category_meta(absolute_uri: AbsoluteUri, category: Category, page_number: int) -> PageMeta:
    # Each page of a category is its own canonical page (its products differ); the sort order
    # only shuffles them, so it is left out.
    path = category.get_absolute_url()
    if page_number > 1:
        path += f"?page={page_number}"
    return PageMeta(title=category.full_name, url=absolute_uri(path))


def product_meta(absolute_uri: AbsoluteUri, product: Product) -> PageMeta:
    extra = []
    image = product.main_image
    if image:
        extra += [
            ("og:image:width", str(image.width)),
            ("og:image:height", str(image.height)),
            ("og:image:alt", product.title),
        ]
    if product.price is not None:
        extra += [
            ("product:price:amount", price_text(product)),
            ("product:price:currency", product.currency),
        ]
    return PageMeta(
        title=product.title,
        url=absolute_uri(product.get_absolute_url()),
        type="product",
        description=short_description(product.description),
        image=absolute_uri(image.image.url) if image else "",
        extra=extra,
        noindex=not product.is_active,
    )


def product_structured_data(absolute_uri: AbsoluteUri, product: Product) -> dict:
    """The product as schema.org's `Product`, for rich results. Only what the catalogue knows:
    no brand (products have none), and no offer for a product without a price."""
    url = absolute_uri(product.get_absolute_url())
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "sku": product.sku,
        "url": url,
    }
    if product.description:
        data["description"] = product.description
    images = [absolute_uri(image.image.url) for image in product.images.all()]
    if images:
        data["image"] = images
    if product.category:
        data["category"] = product.category.full_name
    seller = {"@type": "Organization", "name": product.merchant.name}
    variants = list(product.variants.all())
    if variants:
        # One offer per variant that has a price: its SKU, options, price and stock, at the
        # address that opens the product page on it.
        offers = [
            {
                "@type": "Offer",
                "sku": variant.sku,
                "name": format_options(variant.options),
                "url": f"{url}?{urlencode(option_query(variant.options))}",
                "price": amount_text(variant.unit_price, product.currency),
                "priceCurrency": product.currency,
                "availability": IN_STOCK if variant.stock > 0 else OUT_OF_STOCK,
                "seller": seller,
            }
            for variant in variants
            if variant.unit_price is not None
        ]
        if offers:
            data["offers"] = offers
    elif product.price is not None:
        data["offers"] = {
            "@type": "Offer",
            "url": url,
            "price": price_text(product),
            "priceCurrency": product.currency,
            "availability": IN_STOCK if product.stock > 0 else OUT_OF_STOCK,
            "seller": seller,
        }
    return data


def price_text(product: Product) -> str:
    """ "1234.50", "1200" in yen: a plain number with the currency's decimal places, as
    schema.org and OpenGraph want it (no symbol, no commas)."""
    return amount_text(product.price, product.currency)


def amount_text(amount: Decimal, currency: str) -> str:
    return f"{amount:.{currency_decimals(currency)}f}"


def short_description(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)
