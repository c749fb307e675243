"""The checkouts' Idempotency-Keys past their time (shop.models.CheckoutKey): a module of its
own, so that the daily task that drops them imports nothing that queues tasks."""

from datetime import timedelta

from django.utils import timezone

from shop.models import CheckoutKey

# How long a checkout's Idempotency-Key answers a retry, at least: the daily purge then drops it.
CHECKOUT_KEY_LIFETIME = timedelta(hours=24)


def purge_checkout_keys() -> int:
    """Delete the checkout keys older than CHECKOUT_KEY_LIFETIME; returns how many went."""
    cutoff = timezone.now() - CHECKOUT_KEY_LIFETIME
    deleted, _ = CheckoutKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
