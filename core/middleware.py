"""Answers under /api/ are JSON even when Django itself makes the error (an unknown URL, the
debug pages, the 500 page): clients switch on one shape, never parse HTML."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
