"""The site's addresses: each app's pages and APIs, mounted here and nowhere else."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("catalog.urls")),
    path("", include("shop.urls")),
    path("search/", include("search.urls")),
    path("merchant/", include("merchant.urls")),
    path("api/", include("vitrine.api_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # /healthz, /readyz, and uploaded photos under MEDIA_URL.
    path("", include("core.urls")),
]
