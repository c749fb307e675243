"""Changes to a merchant's own things outside the catalogue: their API tokens."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Merchant
from merchant.models import ApiToken


def create_api_token(merchant: Merchant, name: str) -> tuple[ApiToken, str]:
    """A new token, named, expiring after the knox TOKEN_TTL (VITRINE_API_TOKEN_TTL_DAYS).
    Returns it with its plain text, which exists nowhere else: the database keeps its hash.
    Refused (ValidationError, code `token_limit`) past VITRINE_API_TOKENS_PER_MERCHANT."""
    with transaction.atomic():
        # Holds the merchant's row: two creations at once cannot both pass the limit.
        Merchant.objects.select_for_update().filter(pk=merchant.pk).first()
        tokens = ApiToken.objects.filter(user_id=merchant.user_id)
        tokens.filter(expiry__lt=timezone.now()).delete()
        limit = settings.VITRINE_API_TOKENS_PER_MERCHANT
        if tokens.count() >= limit:
            raise ValidationError(
                f"You already have {limit} API tokens: revoke one you no longer use first.",
                code="token_limit",
            )
        return ApiToken.objects.create(user=merchant.user, name=name)


def revoke_api_token(merchant: Merchant, token_key: str) -> str | None:
    """Deletes the merchant's own token with this key (its first characters), so that it is
    refused from now on; another merchant's is left alone. Returns the revoked token's name,
    None when the merchant has no such token."""
    token = ApiToken.objects.filter(user_id=merchant.user_id, token_key=token_key).first()
    if token is None:
        return None
    token.delete()
    return token.name
