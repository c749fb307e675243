"""The shopper's pages: home, category, product."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.encoding import iri_to_uri

from catalog import seo
from catalog.models import Category, Product
from catalog.selectors import listed_products, variant_choice

PRODUCTS_PER_PAGE = 24
NEWEST_ON_HOME = 12
SORT_ORDERS = {
    "newest": ("-created_at", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "id"),
}


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {
            "categories": Category.objects.filter(parent=None).prefetch_related("children"),
            "newest": listed_products().order_by("-created_at", "-id")[:NEWEST_ON_HOME],
            "page_meta": seo.home_meta(request.build_absolute_uri),
        },
    )


def category_detail(request: HttpRequest, path: str) -> HttpResponse:
    category = get_object_or_404(Category, path=path)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORT_ORDERS else "newest"
    products = listed_products().filter(category__in=category.subtree())
    page = Paginator(products.order_by(*SORT_ORDERS[sort]), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/category.html",
        {
            "category": category,
            "ancestors": category.ancestors(),
            "children": category.children.all(),
            "page": page,
            "sort": sort,
            "page_meta": seo.category_meta(request.build_absolute_uri, category, page.number),
        },
    )


def product_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    product = get_object_or_404(
        Product.objects.select_related("category", "merchant").prefetch_related(
            "images", "variants"
        ),
        pk=pk,
    )
    is_owner = request.user.is_authenticated and product.merchant.user_id == request.user.pk
    if not product.is_active and not is_owner:
        raise Http404("No such product.")
    if slug != product.slug:
        # The URL without a slug, or with a renamed product's old one: one address per
        # product, so that links and search engines' ranking gather on it.
        return HttpResponsePermanentRedirect(with_query(request, product.get_absolute_url()))
    choice = variant_choice(product, request.GET)
    shown = choice.variant if choice and choice.variant else product
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "variant_choice": choice,
            # The chosen variant's price and stock, or the product's.
            "price": shown.unit_price if choice and choice.variant else product.price,
            "stock": shown.stock,
            "ancestors": [*product.category.ancestors(), product.category]
            if product.category
            else [],
            "is_owner": is_owner,
            "page_meta": seo.product_meta(request.build_absolute_uri, product),
            "structured_data": seo.product_structured_data(request.build_absolute_uri, product),
        },
    )


def with_query(request: HttpRequest, path: str) -> str:
    """`path` with the request's query string (a campaign's tags survive a redirect)."""
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{iri_to_uri(query)}" if query else path
