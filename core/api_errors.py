"""What every API answers when something goes wrong: one JSON shape, whatever the error.

{"error": {"code": "<stable machine code>", "message": "<human text>",
           "fields": {"<field>": ["<message>", ...]}}}   # fields: validation errors only
"""

import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger("django.request")
SERVER_ERROR_MESSAGE = "Something went wrong on our side; please try again."


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def json_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: DRF's own handling (status, headers), reshaped; anything else
    is a 400 for a refused request or a logged 500, still in JSON."""
    if isinstance(exc, DjangoValidationError):
        # A model or service check that refused the write: the client's input, field by field.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _reshape(exc, response.data)
        return response
    set_rollback()
    request = context.get("request")
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # Django answers these 400 and logs them under django.security, without details.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return Response(
            error_body("bad_request", "The request was refused."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    # Django logs its own 500s; this one never reaches Django as an exception.
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=exc,
        extra={"status_code": 500, "request": getattr(request, "_request", request)},
    )
    return Response(
        error_body("server_error", SERVER_ERROR_MESSAGE),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def validation_error_body(detail: Any) -> dict:
    """The error body for a validation error's detail (one refused item of a batch, say)."""
    return _reshape(exceptions.ValidationError(), detail)


def _reshape(exc: Exception, data: Any) -> dict:
    if not isinstance(exc, exceptions.ValidationError) and isinstance(data, dict):
        data = data.get("detail", data)
    errors = list(_flatten(data))
    if not errors:
        return error_body(getattr(exc, "default_code", "error"), str(exc))
    fields: dict[str, list[str]] = {}
    for field, detail in errors:
        if field is not None:
            fields.setdefault(field, []).append(str(detail))
    field, first = errors[0]
    code = getattr(first, "code", None) or getattr(exc, "default_code", "error")
    message = str(first) if field is None else f"{field}: {first}"
    return error_body(code, message, fields)


def _flatten(detail: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str | None, Any]]:
    """Each error message with the dotted name of its field (None: about the whole request)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            yield from _flatten(item, (*path, str(index)) if nested else path)
    else:
        field = ".".join(path)
        yield (None if field in ("", api_settings.NON_FIELD_ERRORS_KEY) else field), detail
