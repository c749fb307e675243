"""Reads of a merchant's own things outside the catalogue: their API tokens."""

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Merchant
from merchant.models import ApiToken


def live_api_tokens(merchant: Merchant) -> QuerySet[ApiToken]:
    """The merchant's tokens that still open the API, newest first."""
    return ApiToken.objects.filter(user_id=merchant.user_id, expiry__gt=timezone.now())
