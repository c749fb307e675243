"""API tokens for scripts: a merchant trades their username and password for a new named token,
answered once, which they then send as `Authorization: Token <token>`. The dashboard's API
tokens page lists and revokes them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from catalog.models import Merchant
from core.throttling import TokenThrottle
from merchant import services
from merchant.models import ApiToken

DEFAULT_TOKEN_NAME = "Created with the password"
MAX_PASSWORD_LENGTH = 4096


class TokenCreateSerializer(AuthTokenSerializer):
    # Bounded as the account's own fields are: a longer one names no account (and would not
    # fit django-axes' record of the failure).
    username = serializers.CharField(
        max_length=get_user_model()._meta.get_field("username").max_length, write_only=True
    )
    password = serializers.CharField(
        max_length=MAX_PASSWORD_LENGTH,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    name = serializers.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        help_text=f'What the token is for, as the dashboard lists it ("{DEFAULT_TOKEN_NAME}").',
    )


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>`. Shown this once: keep it safe."
    )
    name = serializers.CharField()
    expiry = serializers.DateTimeField(help_text="After this, the token is refused (401).")


class ObtainTokenView(GenericAPIView):
    # The password is the credential here: no session, so no CSRF, and guesses are rate-limited.
    authentication_classes = []
    permission_classes = []
    throttle_classes = [TokenThrottle]
    serializer_class = TokenCreateSerializer
    error_statuses = (403,)  # wrong credentials, not a merchant, or too many tokens

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        responses={201: NewTokenSerializer},
        summary="Create an API token (merchant accounts)",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as error:
            # django-axes refused a locked-out account or address, whatever the password.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed logins for this account or from this address.",
                ) from None
            # A well-formed request with wrong credentials is refused, not malformed.
            if _wrong_credentials(error):
                raise PermissionDenied(
                    "No account with this username and password.", code="invalid_credentials"
                ) from None
            raise
        merchant = Merchant.objects.filter(user=serializer.validated_data["user"]).first()
        if merchant is None:
            raise PermissionDenied(
                "API tokens are for merchant accounts; this account has no merchant profile.",
                code="not_a_merchant",
            )
        name = serializer.validated_data.get("name") or DEFAULT_TOKEN_NAME
        try:
            token, plain_token = services.create_api_token(merchant, name)
        except DjangoValidationError as error:
            raise PermissionDenied(error.messages[0], code=error.code) from None
        answer = NewTokenSerializer(
            {"token": plain_token, "name": token.name, "expiry": token.expiry}
        )
        return Response(answer.data, status=status.HTTP_201_CREATED)


def _wrong_credentials(error: ValidationError) -> bool:
    """AuthTokenSerializer's refusal of the username and password together (its code
    `authorization`), as opposed to a field missing or malformed."""
    refusals = (
        error.detail.get(api_settings.NON_FIELD_ERRORS_KEY, [])
        if isinstance(error.detail, dict)
        else []
    )
    return any(getattr(refusal, "code", None) == "authorization" for refusal in refusals)
