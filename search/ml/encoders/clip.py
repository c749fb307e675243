"""CLIP-family encoders (CLIP, Chinese-CLIP, SigLIP...): texts and photos in one shared space.

`VITRINE_ENCODER=clip:<folder or hub name>` loads, through transformers' Auto classes, any
checkpoint whose model has `get_text_features` and `get_image_features`. Both towers project into
the same space, so a photo's vector is already a text-space vector: all three columns share one
width, which `declared_dims` reads from the config alone.
"""

import hashlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from search.ml.encoders.base import Encoder, l2_normalise
from search.ml.encoders.device import DeviceProfile
from search.ml.encoders.dims import VectorDims

# Files whose content decides the vectors, besides the weights (fingerprinted by sample).
_CONFIG_FILES = ("config.json", "preprocessor_config.json", "tokenizer_config.json")
_WEIGHT_PATTERNS = ("*.safetensors", "*.bin")
_WEIGHT_SAMPLE_BYTES = 1 << 20


@cache  # active_dims() asks often; a process keeps one checkpoint, as get_encoder() does
def _clip_dims(name_or_folder: str) -> VectorDims:
    """The vector widths of a CLIP-family checkpoint, from its config alone (no weights)."""
    from transformers import AutoConfig

    return _dims_from_config(_from_pretrained(AutoConfig.from_pretrained, name_or_folder))


class ClipEncoder(Encoder):
    shares_text_space = True

    @classmethod
    def declared_dims(cls, checkpoint: str) -> VectorDims:
        return _clip_dims(checkpoint)

    @classmethod
    def load(cls, checkpoint: str, profile: DeviceProfile) -> "ClipEncoder":
        return cls(checkpoint, profile)

    def __init__(self, name_or_folder: str, profile: DeviceProfile):
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        super().__init__(profile)
        model = _from_pretrained(AutoModel.from_pretrained, name_or_folder)
        if not (hasattr(model, "get_text_features") and hasattr(model, "get_image_features")):
            raise ImproperlyConfigured(
                f"VITRINE_ENCODER=clip:{name_or_folder}: {type(model).__name__} is not a "
                "CLIP-family model (it lacks get_text_features/get_image_features)."
            )
        # Feature methods then return model outputs, never bare tuples (see _projected).
        model.config.return_dict = True
        self.model = model.eval().to(self.device, self.dtype)
        self.tokenizer = _from_pretrained(AutoTokenizer.from_pretrained, name_or_folder)
        self.image_processor = _from_pretrained(AutoImageProcessor.from_pretrained, name_or_folder)

        config = model.config
        self.dims = _dims_from_config(config)
        # SigLIP was trained on texts padded to the full length: its pooling expects them so.
        self.padding: bool | str = "max_length" if config.model_type.startswith("siglip") else True
        # Tokenizers saved without model_max_length report a huge one: the positions bound it.
        text_config = getattr(config, "text_config", None)
        positions = getattr(text_config, "max_position_embeddings", None)
        self.max_text_tokens = min(self.tokenizer.model_max_length, positions or 10**9)
        self.version = _version(name_or_folder, config.model_type)
        self._check_widths(name_or_folder)

    def images_to_text_space(self, image_vectors: np.ndarray) -> np.ndarray:
        # One shared space: only the norm may differ (e.g. vectors averaged elsewhere).
        vectors = torch.from_numpy(np.asarray(image_vectors, dtype=np.float32))
        return l2_normalise(vectors).numpy()

    def _encode_text_batch(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self.tokenizer(
            list(texts),
            padding=self.padding,
            truncation=True,
            max_length=self.max_text_tokens,
            return_tensors="pt",
        ).to(self.device)
        with torch.inference_mode():
            features = _projected(self.model.get_text_features(**tokens))
        return l2_normalise(features).cpu().numpy()

    def _encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        rgb = [image if image.mode == "RGB" else image.convert("RGB") for image in images]
        # All the processor's outputs: SigLIP 2 adds a pixel mask and the patch grid shapes.
        inputs = self.image_processor(images=rgb, return_tensors="pt").to(self.device, self.dtype)
        with torch.inference_mode():
            features = _projected(self.model.get_image_features(**inputs))
        return l2_normalise(features).cpu().numpy()

    def _check_widths(self, name_or_folder: str) -> None:
        """The index columns are sized by the config: make sure the model's vectors fit them."""
        widths = (
            self.encode_texts(["a photo"]).shape[1],
            self.encode_images([Image.new("RGB", (64, 64), "white")]).shape[1],
        )
        if widths != (self.dims.text, self.dims.image):
            raise ImproperlyConfigured(
                f"VITRINE_ENCODER=clip:{name_or_folder}: the model gives text/image vectors of "
                f"{widths[0]}/{widths[1]} dimensions, but its config says {self.dims.text}."
            )


def _dims_from_config(config: Any) -> VectorDims:
    # CLIP and Chinese-CLIP project both towers to projection_dim; SigLIP's text head projects to
    # text_config.projection_size (its hidden size, in configs older than that field), which is
    # the vision tower's width.
    width = getattr(config, "projection_dim", None)
    text_config = getattr(config, "text_config", None)
    if width is None and text_config is not None:
        width = getattr(text_config, "projection_size", None) or text_config.hidden_size
    if not width:
        raise ImproperlyConfigured(
            f"A {config.model_type!r} config is not a CLIP-family one: it names no shared "
            "text-image projection size."
        )
    return VectorDims(text=width, image=width)


def _projected(output: Any) -> torch.Tensor:
    # transformers 4 returns the projected features; 5 a model output holding them as pooler_output.
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def _from_pretrained(loader: Callable[[str], Any], name_or_folder: str) -> Any:
    try:
        return loader(name_or_folder)
    except (OSError, ValueError) as error:  # missing files, unknown model types
        raise ImproperlyConfigured(
            f"VITRINE_ENCODER=clip:{name_or_folder} cannot be loaded: {error}"
        ) from error


def _version(name_or_folder: str, model_type: str) -> str:
    folder = Path(name_or_folder).expanduser()
    if not folder.is_dir():
        return f"clip:{model_type}:{name_or_folder}"
    return f"clip:{model_type}:{folder.resolve().name}:{_fingerprint(folder)}"


def _fingerprint(folder: Path) -> str:
    """Changes when the checkpoint does, without reading gigabytes of weights at each start."""
    digest = hashlib.sha256()
    for name in _CONFIG_FILES:
        path = folder / name
        if path.is_file():
            digest.update(f"{name}\0".encode() + path.read_bytes())
    weights = sorted({path for pattern in _WEIGHT_PATTERNS for path in folder.glob(pattern)})
    for path in weights:
        size = path.stat().st_size
        digest.update(f"{path.name}\0{size}\0".encode())
        # A fine-tune keeps the names and sizes: its first and last tensors' bytes tell it apart.
        with path.open("rb") as file:
            digest.update(file.read(_WEIGHT_SAMPLE_BYTES))
            file.seek(max(0, size - _WEIGHT_SAMPLE_BYTES))
            digest.update(file.read())
    return digest.hexdigest()[:16]
