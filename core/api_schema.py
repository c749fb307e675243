"""The OpenAPI schema's view of errors: every operation lists the error answers it can give,
each in the one shape of core.api_errors, so that clients (and schemathesis) can rely on them."""

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: (
        "The request is invalid, or a rule of the shop refused it as things stand (a product "
        "sold out, a cart in another currency): see `code`, and `fields` for the fields at fault."
    ),
    401: "Authentication is missing or wrong.",
    403: (
        "Refused: this account may not do this (not a merchant, a missing CSRF token), the "
        "credentials are wrong, or a proof such as a search token does not cover it."
    ),
    404: "No such resource (another merchant's product is not found either).",
    409: (
        "Nothing was written: the resource changed since the `version` sent (read it again), "
        "another of yours has this key (`taken`), or the `Idempotency-Key` sent came with "
        "another request (`idempotency_key_reused`)."
    ),
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


NO_NUL = r"^[^\x00]+$"  # "" is what minLength or allow_blank says
WORDS = r"^[^\x00]*[^\s\x00][^\x00]*$"
NO_NUL_OR_BLANK = r"^[^\x00]*$"


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """What the field takes: drf-spectacular's pattern admits "." and "" and a minus sign even
    where min_value forbids one."""
    whole = field.max_digits - field.decimal_places
    places = field.decimal_places
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    number = rf"{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})"
    # A field that takes "" as null (catalog's optional prices) says so.
    return f"^{number}?$" if getattr(field, "blank_means_null", False) else f"^{number}$"


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
        if isinstance(field, serializers.DecimalField) and field.max_digits is not None:
            schema["pattern"] = _decimal_pattern(field)
        elif (
            isinstance(field, serializers.CharField)
            and direction == "request"
            and "enum" not in schema
            and not any(isinstance(check, RegexValidator) for check in field.validators)
        ):
            # PostgreSQL's text holds no NUL character: the API refuses one. (A field with a
            # pattern of its own excludes it there.) A field that trims its spaces needs a
            # character other than a space, or is blank.
            schema["pattern"] = WORDS if field.trim_whitespace else NO_NUL
        return schema

    def _map_serializer(self, serializer, direction, bypass_extensions=False) -> dict:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # A serializer that refuses unknown fields says so: clients send only those it names.
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _insert_field_validators(self, field, schema: dict) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular writes a blank-allowed field with a pattern as oneOf [pattern, ""]:
        # one plain pattern says the same (blank, spaces that trim to blank, or text without a
        # NUL), and a fuzzer's mutations of a oneOf survive multipart serialisation as valid.
        branches = schema.get("oneOf")
        if branches and len(branches) == 2 and branches[0].get("pattern") in (NO_NUL, WORDS):
            text, _blank = branches
            schema.pop("oneOf")
            text.pop("minLength", None)
            schema.update({**text, "pattern": NO_NUL_OR_BLANK})

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
        if self.method in getattr(self.view, "conflict_methods", ()):
            statuses.append(409)  # a stale write (the view's `version` check), a key taken
        return sorted(statuses)
