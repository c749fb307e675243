"""The widths of an encoder's vectors, which size the index's vector columns."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorDims:
    text: int  # text embedding
    image: int  # image embedding, in the image encoder's own space
