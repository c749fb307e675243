"""The OpenAPI schema's view of errors: every operation lists the error answers it can give,
each in the one shape of core.api_errors, so that clients (and schemathesis) can rely on them."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "The request is invalid: see `code`, and `fields` for the fields at fault.",
    401: "Authentication is missing or wrong.",
    403: "This account may not do this (not a merchant, or a missing CSRF token).",
    404: "No such resource (another merchant's product is not found either).",
    409: "The resource changed since the `version` sent: nothing was written; read it again.",
    413: "The request body is too large.",
    415: "The request body's content type is not accepted.",
    429: "Too many requests: retry after `Retry-After` seconds.",
    503: "A part this needs is unavailable for a moment: retry later.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request.",
        "required": True,
    }
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: each field at fault with its messages.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus each operation's error responses."""

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            response = self._get_response_for_code(ErrorSerializer, str(status))
            response["description"] = ERROR_DESCRIPTIONS[status]
            if status == 429:
                response["headers"] = RETRY_AFTER
            responses.setdefault(str(status), response)
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular's decimal pattern allows a minus sign even where min_value forbids it.
        minimum = getattr(field, "min_value", None)
        if isinstance(field, serializers.DecimalField) and minimum is not None and minimum >= 0:
            schema["pattern"] = schema.get("pattern", "").replace("^-?", "^", 1)
        return schema

    def _map_serializer(self, serializer, direction, bypass_extensions=False) -> dict:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # A serializer that refuses unknown fields says so: clients send only those it names.
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _error_statuses(self) -> list[int]:
        statuses = [429]  # every view is throttled
        has_body = self.method in ("POST", "PUT", "PATCH")
        query = {p["name"] for p in self._get_parameters() if p.get("in") == "query"}
        if has_body or query:
            statuses.append(400)
        security = self.get_auth()
        if security:
            statuses.append(401)  # a wrong token is refused even where none is needed
            if {} not in security or self.method not in ("GET", "HEAD", "OPTIONS"):
                statuses.append(403)
        if "{" in self.path or "cursor" in query:
            statuses.append(404)  # a path's unknown object, or a list's stale cursor
        if has_body:
            statuses.extend([413, 415])
        # A view names the statuses only it answers (e.g. 503 from a model that can't load).
        statuses.extend(getattr(self.view, "error_statuses", ()))
        if self.method in getattr(self.view, "version_checked_methods", ()):
            statuses.append(409)  # a stale write (the view's `version` check)
        return sorted(statuses)
