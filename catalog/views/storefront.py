"""The shopper's pages: home, category, product."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.models import Category, Product
from catalog.selectors import listed_products

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
        },
    )


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(
        Product.objects.select_related("category", "merchant").prefetch_related("images"), pk=pk
    )
    is_owner = request.user.is_authenticated and product.merchant.user_id == request.user.pk
    if not product.is_active and not is_owner:
        raise Http404("No such product.")
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "ancestors": [*product.category.ancestors(), product.category]
            if product.category
            else [],
            "is_owner": is_owner,
        },
    )
