"""The encoder registry, chosen by VITRINE_ENCODER: `embedded` (offline default) or
`clip:<folder or hub name>`.

Each encoder declares the widths of its vectors (`declared_dims`) without loading its model, so
that the index's columns can be sized by any process. A process loads its encoder once
(get_encoder) and keeps it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from search.ml.encoders.device import device_profile
from search.ml.encoders.dims import VectorDims

if TYPE_CHECKING:
    from search.ml.encoders.base import Encoder

# An encoder kind, by the prefix of its spec, and whether the spec names a checkpoint after ":".
ENCODER_KINDS: dict[str, tuple[str, bool]] = {
    "embedded": ("search.ml.encoders.minilm_efficientnet.EmbeddedEncoder", False),
    "clip": ("search.ml.encoders.clip.ClipEncoder", True),
}


def encoder_class(spec: str) -> tuple[type[Encoder], str]:
    """The encoder class a spec names, and the checkpoint it gives ("" for none)."""
    kind, _, checkpoint = spec.partition(":")
    known = ENCODER_KINDS.get(kind)
    if known is None or known[1] != bool(checkpoint):
        raise ImproperlyConfigured(
            f"VITRINE_ENCODER={spec!r} is not a known encoder "
            "(use 'embedded' or 'clip:<folder or hub name>')."
        )
    return import_string(known[0]), checkpoint


def active_dims() -> VectorDims:
    """The widths of the configured encoder's vectors; no model is loaded to know them."""
    cls, checkpoint = encoder_class(settings.VITRINE_ENCODER)
    return cls.declared_dims(checkpoint)


@cache
def get_encoder() -> Encoder:
    """This process's encoder for the configured VITRINE_ENCODER."""
    return load_encoder(settings.VITRINE_ENCODER)


def encoder_loaded() -> bool:
    """Whether this process has loaded its encoder (a search now answers without the wait)."""
    return get_encoder.cache_info().currsize > 0


def load_encoder(spec: str) -> Encoder:
    cls, checkpoint = encoder_class(spec)
    return cls.load(checkpoint, device_profile())
