"""How programs authenticate: `Authorization: Token <token>`, a knox token (hashed at rest,
expiring, revocable) of merchant.ApiToken."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication

from merchant.models import ApiToken

# How stale a token's "last used" may be: finer would cost a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """Knox's check (an expired token is deleted and refused), noting when a token was used."""

    def validate_user(self, auth_token: ApiToken) -> tuple:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme as the OpenAPI schema names it: `tokenAuth`, an Authorization header."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
