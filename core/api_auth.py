"""API tokens: a program trades a username and password for the token it then sends as
`Authorization: Token <token>`."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.throttling import TokenThrottle


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class ObtainTokenView(ObtainAuthToken):
    # The password is the credential here: no session, so no CSRF, and guesses are rate-limited.
    authentication_classes = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={200: TokenSerializer},
        summary="Get the account's API token",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes refused a locked-out account or address, whatever the password.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed logins for this account or from this address.",
                ) from None
            raise
