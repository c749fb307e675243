"""The catalogue's pages for search engines (django.contrib.sitemaps): the home page, every
category and every active product. vitrine/urls.py serves them as /sitemap.xml, an index of
one sitemap per section, each paginated at the protocol's 50,000 URLs."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from catalog.models import Category, Product


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["catalog:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> QuerySet[Category]:
        # Only what the URL needs: the path.
        return Category.objects.only("path").order_by("path")


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> QuerySet[Product]:
        # Drafts are their merchant's alone. The id order keeps the pages stable as products
        # are added; only what the URL (id, title's slug) and lastmod need is read.
        return (
            Product.objects.filter(status=Product.Status.ACTIVE)
            .only("id", "title", "updated_at")
            .order_by("id")
        )

    def lastmod(self, product: Product) -> datetime:
        return product.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        # For the index: one aggregate, where Django's default would read every product.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {"home": HomeSitemap, "categories": CategorySitemap, "products": ProductSitemap}
