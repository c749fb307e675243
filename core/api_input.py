"""Input of the type the schema names. In JSON, DRF takes 0 for a string, "5" for an integer,
"yes" for a boolean, 19.99 for a decimal (which the schema gives as a string); the API refuses
them, so that what the schema forbids is refused. Form and query fields, all text, are converted
as ever, but for booleans: the schema's true and false, not DRF's 1, yes or on."""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils import html

# Checked in this order: a DecimalField is no CharField, a ChoiceField's values are strings.
JSON_TYPES: tuple[tuple[type[serializers.Field], type | tuple[type, ...], str], ...] = (
    (serializers.BooleanField, bool, "a boolean"),
    (serializers.IntegerField, int, "an integer"),
    (serializers.DecimalField, str, "a string"),
    (serializers.CharField, str, "a string"),
    (serializers.ChoiceField, str, "a string"),
)


def _wrong_type(field: serializers.Field, value: object) -> str | None:
    """What `value` should have been for `field`, or None when it is of the right type."""
    if value is None:
        return None  # the field's own null check answers
    for field_class, json_type, name in JSON_TYPES:
        if isinstance(field, field_class):
            # A bool is an int to Python, not to JSON.
            right = isinstance(value, json_type) and not (
                json_type is int and isinstance(value, bool)
            )
            return None if right else name
    return None


class JsonTypesChecked:
    """A serializer mixin: a JSON value of the wrong type is an `invalid` error of its field."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not html.is_html_input(data):
            errors = {}
            for name, field in self.fields.items():
                expected = None if field.read_only else _wrong_type(field, data.get(name))
                if expected:
                    errors[name] = [ErrorDetail(f"Must be {expected}.", code="invalid")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A boolean as the schema writes it: true or false (JSON's, or the same words as text)."""

    TRUE_VALUES = {"true", True}
    FALSE_VALUES = {"false", False}
