"""Answers under /api/ are JSON even when Django itself makes the error (an unknown URL, the
debug pages, the 500 page): clients switch on one shape, never parse HTML. And request bodies
over the size limit are refused unread."""

from collections.abc import Callable
from tempfile import SpooledTemporaryFile
from typing import BinaryIO

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core.api_errors import SERVER_ERROR_MESSAGE, error_body

API_PREFIX = "/api/"
# The codes DRF's own exceptions carry, so that one status has one code wherever it came from.
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}
MESSAGES = {
    404: "There is no API resource at this address.",
    500: SERVER_ERROR_MESSAGE,
}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")
READ_CHUNK = 64 * 1024


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _as_json(response)
        return response


def _as_json(response: HttpResponse) -> JsonResponse:
    status = response.status_code
    code = STATUS_CODES.get(status, "server_error" if status >= 500 else "error")
    message = MESSAGES.get(status) or f"{response.reason_phrase}."
    json_response = JsonResponse(error_body(code, message), status=status)
    for header in KEPT_HEADERS:
        if header in response:
            json_response[header] = response[header]
    return json_response


class RequestSizeLimitMiddleware:
    """Refuses a request body over VITRINE_MAX_REQUEST_BYTES with 413 before reading it: by its
    Content-Length, or, for a chunked body without one, by reading no further than the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.VITRINE_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot size
        if length > limit:
            return _too_large(request, limit)
        if not length and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            read = _read_at_most(request.META.get("wsgi.input"), limit)
            if read is None:
                return _too_large(request, limit)
            # Django reads a body by its length (none without one): give it what was read.
            body, size = read
            request.META["CONTENT_LENGTH"] = str(size)
            request._stream = LimitedStream(body, size)
        return self.get_response(request)


def _read_at_most(stream: BinaryIO | None, limit: int) -> tuple[SpooledTemporaryFile, int] | None:
    """The stream's bytes (on disk past Django's in-memory upload size) and their count; None
    once more than the limit came."""
    # Not a `with`: the file outlives this function, as the request's body.
    body = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    while stream is not None and (chunk := stream.read(min(READ_CHUNK, limit + 1 - body.tell()))):
        body.write(chunk)
        if body.tell() > limit:
            body.close()
            return None
    size = body.tell()
    body.seek(0)
    return body, size


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    megabytes = f"{limit / 1024 / 1024:.3g}"
    if request.path_info.startswith(API_PREFIX):
        message = f"The request body is larger than the limit of {megabytes} MB."
        return JsonResponse(error_body(STATUS_CODES[413], message), status=413)
    return render(request, "413.html", {"megabytes": megabytes}, status=413)
