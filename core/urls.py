"""Health probes, and uploaded files when MEDIA_URL is this site's (not an object store's)."""

import re

from django.conf import settings
from django.urls import URLPattern, path, re_path

from core import views


def media_patterns(media_url: str) -> list[URLPattern]:
    """The media route under a local MEDIA_URL ("/media/"); none for a full URL elsewhere."""
    if "://" in media_url or media_url.startswith("//"):
        return []
    prefix = media_url.strip("/")
    return [re_path(rf"^{re.escape(prefix)}/(?P<name>.+)$", views.media_file, name="media")]


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    *media_patterns(settings.MEDIA_URL),
]
