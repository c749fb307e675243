"""The encoder interface: product text and photos in, vectors out, in batches."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np
import torch
from PIL import Image

from search.ml.encoders.device import DeviceProfile
from search.ml.encoders.dims import VectorDims
from search.ml.encoders.tuning import PhotoTuning


class Encoder(ABC):
    """Turns texts and photos into vectors. Load one per process and keep it (it is costly).

    - `encode_texts`: texts into the text space, L2-normalised.
    - `encode_images`: photos into the image encoder's own space (what photo-to-photo
      similarity compares).
    - `images_to_text_space`: image vectors into the text space, so that a text query can
      find a product by its photo.

    An encoder whose `tunes_photos` is true can have its image model fine-tuned on a catalogue
    (search.ml.training.photo_tuning): `photo_model_split` gives the frozen part and a trainable
    copy of the rest; `encode_images(..., tuning)` encodes with such trained weights.
    """

    version: str  # names the models and settings: vectors of two versions never meet
    dims: VectorDims
    # Whether photos and texts already share one space (CLIP); if not, a photo map is trained.
    shares_text_space: bool = False
    tunes_photos: bool = False
    photo_blocks: int = 0  # the image model's blocks: the most that photo_model_split trains

    @classmethod
    @abstractmethod
    def declared_dims(cls, checkpoint: str) -> VectorDims:
        """The widths of the vectors it makes from `checkpoint` (the spec's part after ":"),
        read without loading the model."""

    @classmethod
    @abstractmethod
    def load(cls, checkpoint: str, profile: DeviceProfile) -> "Encoder":
        """The encoder with its models loaded, on the profile's device."""

    def __init__(self, profile: DeviceProfile):
        self.profile = profile
        self.device, self.dtype = profile.device, profile.dtype
        self.text_batch_size = profile.text_batch_size
        self.image_batch_size = profile.image_batch_size

    def knows_word(self, word: str) -> bool:
        """Whether the text model's vocabulary has `word` whole: a real word of its language,
        not a typo (a typo splits into pieces). Its tokenizer's own vocabulary decides."""
        return word in self._word_vocabulary or f"{word}</w>" in self._word_vocabulary

    @cached_property
    def _word_vocabulary(self) -> frozenset[str]:
        tokenizer = getattr(self, "tokenizer", None)
        return frozenset(tokenizer.get_vocab()) if tokenizer is not None else frozenset()

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        # Similar lengths share a batch, so that little padding is computed.
        return _batched(texts, self.text_batch_size, self._encode_text_batch, self.dims.text, len)

    def encode_images(
        self, images: Sequence[Image.Image], tuning: PhotoTuning | None = None
    ) -> np.ndarray:
        """Photos into the image space: of the encoder's own image model, or of that model
        fine-tuned as `tuning` says."""
        encode = self._encode_image_batch
        if tuning is not None:
            encode = self._tuned_image_encoder(tuning)
        return _batched(images, self.image_batch_size, encode, self.dims.image)

    def photo_pixels(self, image: Image.Image) -> np.ndarray:
        """The photo as the image model reads it: (height, width, channels), normalised."""
        raise NotImplementedError(f"{type(self).__name__} does not fine-tune its photos")

    def photo_model_split(self, blocks: int) -> tuple[torch.nn.Module, torch.nn.Module]:
        """(frozen, trainable): the image model up to its last `blocks` blocks, and a copy of
        the rest; trainable(frozen(pixels)) gives what encode_images gives. Pixels are
        (batch, channels, height, width)."""
        raise NotImplementedError(f"{type(self).__name__} does not fine-tune its photos")

    def _tuned_image_encoder(self, tuning: PhotoTuning) -> Callable[[Sequence], np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} does not fine-tune its photos")

    @abstractmethod
    def images_to_text_space(self, image_vectors: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _encode_text_batch(self, texts: Sequence[str]) -> np.ndarray: ...

    @abstractmethod
    def _encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray: ...


def l2_normalise(vectors: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.normalize(vectors.float(), dim=-1)


def _batched(
    items: Sequence,
    batch_size: int,
    encode: Callable[[Sequence], np.ndarray],
    width: int,
    key: Callable | None = None,
) -> np.ndarray:
    """encode() over batches of items (grouped by `key` when given), rows in the items' order."""
    order = list(range(len(items)))
    if key:
        order.sort(key=lambda i: key(items[i]))
    parts = [
        encode([items[i] for i in order[start : start + batch_size]])
        for start in range(0, len(order), batch_size)
    ]
    if not parts:
        return np.zeros((0, width), dtype=np.float32)
    stacked = np.concatenate(parts)
    result = np.empty_like(stacked)
    result[order] = stacked
    return result
