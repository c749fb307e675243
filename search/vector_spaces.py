"""The sizes of the index's vector columns, which the active encoder decides.

Reading them needs no model code: the web and catalog processes never load a model to know them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class VectorDims:
    text: int  # text embedding
    image: int  # image embedding, in the image encoder's own space


# The offline default: all-MiniLM-L6-v2 (384) for text, EfficientNet-Lite0 (1280) for photos.
EMBEDDED_DIMS = VectorDims(text=384, image=1280)


def active_dims() -> VectorDims:
    spec = settings.VITRINE_ENCODER
    if spec == "embedded":
        return EMBEDDED_DIMS
    if spec.startswith("clip:"):
        # Here, not above: transformers loads only for a CLIP encoder (and reads just the config).
        from search.encoders.clip import clip_dims

        return clip_dims(spec.removeprefix("clip:"))
    raise ImproperlyConfigured(
        f"VITRINE_ENCODER={spec!r} is not a known encoder "
        "(use 'embedded' or 'clip:<folder or hub name>')."
    )
