"""Encoders, chosen by VITRINE_ENCODER: `embedded` (offline default) or `clip:<folder or name>`.

A process loads its encoder once (get_encoder) and keeps it.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.encoders.base import Encoder
from search.encoders.device import device_profile

__all__ = ["Encoder", "get_encoder", "load_encoder"]


@cache
def get_encoder() -> Encoder:
    """This process's encoder for the configured VITRINE_ENCODER."""
    return load_encoder(settings.VITRINE_ENCODER)


def load_encoder(spec: str) -> Encoder:
    profile = device_profile()
    if spec == "embedded":
        from search.encoders.embedded import EmbeddedEncoder

        return EmbeddedEncoder(profile)
    if spec.startswith("clip:"):
        from search.encoders.clip import ClipEncoder

        return ClipEncoder(spec.removeprefix("clip:"), profile)
    raise ImproperlyConfigured(
        f"VITRINE_ENCODER={spec!r}: use 'embedded' or 'clip:<folder or hub name>'."
    )
