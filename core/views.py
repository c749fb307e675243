"""Pages of no domain: health probes, and the uploaded files of the default storage."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import run_readiness_checks


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answers; nothing else is looked at."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether this process can serve shoppers now: 200 when every check passes, else 503."""
    checks = run_readiness_checks()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


@require_safe
def media_file(request: HttpRequest, name: str) -> HttpResponse:
    """A stored file, streamed, with validators (ETag, Last-Modified) and a long cache life:
    photos get fresh random names and are never rewritten (catalog.services)."""
    name = _stored_name(name)
    try:
        size = default_storage.size(name)
        modified = default_storage.get_modified_time(name)
        stored = default_storage.open(name)
    except OSError:  # missing, a folder, or unreadable
        raise Http404("No such file.") from None
    etag = quote_etag(f"{int(modified.timestamp() * 1_000_000):x}-{size:x}")
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp())
    )
    if not_modified is not None:
        stored.close()
        response = not_modified
    else:
        response = FileResponse(stored)
        response["Content-Length"] = size
        # Uploaded content never runs as a page of this site, even if opened directly.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    max_age = settings.VITRINE_MEDIA_MAX_AGE
    patch_cache_control(
        response, public=True, max_age=max_age, **({"immutable": True} if max_age else {})
    )
    return response


def _stored_name(name: str) -> str:
    """The storage name a URL path asks for; anything that could leave the media folder
    (empty, . or .. segments, an absolute or backslashed path, NUL) is not found."""
    if "\\" in name or "\x00" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise Http404("No such file.")
    return name
