"""The encoder registry, chosen by VITRINE_ENCODER: `embedded` (offline default) or
`clip:<folder or hub name>`.

Each encoder declares the widths of its vectors (`declared_dims`) without loading its model, so
that the index's columns can be sized by any process. A process loads its encoder once
(get_encoder), under a lock, and keeps it; a load that failed is not tried again for a while,
so that a broken model costs each request an exception, not a load.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from search.ml.encoders.device import device_profile
from search.ml.encoders.dims import VectorDims

if TYPE_CHECKING:
    from search.ml.encoders.base import Encoder

logger = logging.getLogger(__name__)

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


class EncoderUnavailable(RuntimeError):
    """The configured encoder could not be loaded (its cause is chained)."""


class _ProcessEncoders:
    """The process's encoders, by spec (one, but where settings change under tests). Threads
    asking at once wait for one load: loads in parallel raced in transformers' lazy imports
    and in TorchScript tracing."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[str, Encoder] = {}
        self._failures: dict[str, tuple[float, EncoderUnavailable]] = {}

    def get(self, spec: str) -> Encoder:
        if (encoder := self._loaded.get(spec)) is not None:
            return encoder
        with self._lock:
            if (encoder := self._loaded.get(spec)) is not None:
                return encoder
            failed_at, failure = self._failures.get(spec, (None, None))
            if failure and time.monotonic() - failed_at < settings.VITRINE_ENCODER_RETRY_SECONDS:
                raise failure
            try:
                encoder = self._loaded[spec] = load_encoder(spec)
            except Exception as error:
                logger.exception("Encoder %s failed to load", spec)
                failure = EncoderUnavailable(f"The search model could not be loaded: {error}")
                self._failures[spec] = (time.monotonic(), failure)
                raise failure from error
            self._failures.pop(spec, None)
            return encoder

    def loaded(self, spec: str) -> bool:
        return spec in self._loaded


_process_encoders = _ProcessEncoders()


def get_encoder() -> Encoder:
    """This process's encoder for the configured VITRINE_ENCODER, loaded on first use.
    Raises EncoderUnavailable when it cannot be loaded."""
    return _process_encoders.get(settings.VITRINE_ENCODER)


def encoder_loaded() -> bool:
    """Whether this process has loaded its encoder (asking loads nothing)."""
    return _process_encoders.loaded(settings.VITRINE_ENCODER)


def load_encoder(spec: str) -> Encoder:
    cls, checkpoint = encoder_class(spec)
    return cls.load(checkpoint, device_profile())
