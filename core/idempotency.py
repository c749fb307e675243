"""The `Idempotency-Key` request header: a client names a write with a key of its own choosing
(a UUID, say), and sends the same key when it retries that write, so that a retry never does it
twice. This reads and checks the header and hashes the request it came with; the operation that
honours it keeps the key in its own transaction (shop.services.checkout.place_order_once)."""

import hashlib
import json
import re

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# Visible ASCII, no spaces: a UUID, a ULID, or any token of the client's.
PATTERN = rf"^[!-~]{{1,{MAX_LENGTH}}}$"
KEY = re.compile(PATTERN)

REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(request: Request) -> str | None:
    """The request's key; None when it sent none. A key sent malformed is a 400 of its own
    (`invalid_idempotency_key`), never silently ignored: the client counts on it."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY.fullmatch(key):
        message = f"Send 1 to {MAX_LENGTH} visible ASCII characters without spaces, such as a UUID."
        raise ValidationError({HEADER: [ErrorDetail(message, code="invalid_idempotency_key")]})
    return key


def request_hash(data: object) -> str:
    """A hash of the parsed request body: the same key sent with another body is told apart."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_parameter(what: str) -> OpenApiParameter:
    """The header in an operation's schema; `what` says what a retry with the key answers."""
    return OpenApiParameter(
        HEADER,
        type={"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": PATTERN},
        location=OpenApiParameter.HEADER,
        required=False,
        description=(
            "A key of your choosing, new for each new request (a UUID): a retry with the same "
            f"key and body is never carried out twice, and answers {what}. The same key with "
            "another body is refused (409, `idempotency_key_reused`). Keys are yours alone."
        ),
    )


def replayed_header() -> OpenApiParameter:
    return OpenApiParameter(
        REPLAYED_HEADER,
        type=str,
        location=OpenApiParameter.HEADER,
        enum=["true"],
        response=[201],
        description="Present on a retry's answer: the request was carried out before, not now.",
    )
