"""The site's addresses: each app's pages and APIs, mounted here and nowhere else."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from catalog.sitemaps import SITEMAPS
from vitrine import views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # An index of one sitemap per section, each split into pages of 50,000 URLs (the protocol's
    # limit), so that a catalogue of any size fits.
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("catalog.urls")),
    path("", include("shop.urls")),
    path("search/", include("search.urls")),
    path("merchant/", include("merchant.urls")),
    path("api/", include("vitrine.api_urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # /healthz, /readyz, and uploaded photos under MEDIA_URL.
    path("", include("core.urls")),
]
