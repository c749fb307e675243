"""Pages of the whole site rather than of one app: robots.txt names every app's private paths."""

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def disallowed_paths() -> list[str]:
    """What crawlers should leave alone: pages of one visitor's own (cart, wishlist, checkout,
    orders, accounts), the merchants' dashboard, the admin, the API, and search results (endless
    variations of the catalogue's pages, and each a costly search)."""
    prefix = get_script_prefix()
    return [
        reverse("shop:cart"),
        reverse("shop:wishlist"),
        reverse("shop:checkout"),
        reverse("shop:order_list"),
        prefix + "accounts/",  # login, logout, sign-up (vitrine/urls.py and shop's)
        reverse("merchant:dashboard"),
        reverse("admin:index"),
        prefix + "api/",
        reverse("search:search"),
    ]


@require_safe
@cache_control(max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in disallowed_paths()),
        f"Allow: {get_script_prefix()}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
