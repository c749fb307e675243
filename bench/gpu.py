"""GPU bench: embedding throughput and a fine-tuning epoch of the production encoders.

Self-contained, so that it runs on a bare accelerator machine: Python and torch only (no Django,
no database, nothing from a package registry, no weights). It builds the production
architectures, written out below, at the production image size and batch sizes, with random
weights: throughput does not depend on their values. tests/bench/test_gpu_bench.py holds them
to the production models (parameter counts, output widths) and these constants to production's.

Measured, on CUDA in half precision as the embedding worker runs there:
- embedding: listings/s, one photo and one text (title, category path, description) a listing;
  texts at two lengths: this dataset's short titles and paths, and the encoder's 128-token cap;
- fine-tuning: one epoch over `--listings` listings of the whole photo network, as the training
  stage does it (photos augmented on the device, kind and colour heads, a contrastive pull
  towards the listing's own text vector, AdamW, bfloat16 autocast on CUDA);
- photo decoding on one CPU core (Pillow, when present): whether the host's cores can feed
  the accelerator.

Without CUDA it runs small (a few batches, CPU batch sizes) and says so: `"small": true`.

    python bench/gpu.py [--listings 10000] [--device cuda]
"""

import argparse
import io
import json
import math
import os
import platform
import time

import torch
import torch.nn.functional as F
from torch import nn

# Production's values (search/ml/encoders/): the photo size and, per device, the batch sizes.
IMAGE_SIZE = 128
BATCH_SIZES = {"cuda": {"text": 1024, "image": 512}, "cpu": {"text": 64, "image": 16}}
MAX_TEXT_TOKENS = 128
# A title and category path of the dataset in ../shared: 13 word pieces in the median, 31 at
# most (its tokenizer, 3,000 listings); the worker pads a batch to its longest.
SHORT_TEXT_TOKENS = 32
TEXT_VECTOR_WIDTH = 384
# Fine-tuning: a batch that fits any training GPU at 128 px; heads as a catalogue of a few
# hundred kinds and a colour lexicon's few dozen colours would have.
TRAIN_BATCH = {"cuda": 256, "cpu": 32}
KIND_CLASSES = 300
COLOUR_CLASSES = 40
CONTRASTIVE_TEMPERATURE = 0.05
CROP_KEEPS = (0.8, 1.0)  # of each side
SMALL_RUN_BATCHES = 3  # batches timed per measurement without CUDA


# EfficientNet-Lite0: EfficientNet-B0's blocks without squeeze-and-excitation, with ReLU6,
# a 32-channel stem and a 1280-channel head. A stage: (expansion, kernel, stride, out, repeats).
LITE0_STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
LITE0_STEM, LITE0_HEAD = 32, 1280


def conv_bn(inputs: int, outputs: int, kernel: int, stride: int = 1, groups: int = 1) -> list:
    return [
        nn.Conv2d(inputs, outputs, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(outputs),
    ]


class InvertedResidual(nn.Module):
    """MBConv: expand, depthwise, project; a skip connection where the shape allows."""

    def __init__(self, inputs: int, outputs: int, expansion: int, kernel: int, stride: int):
        super().__init__()
        hidden = inputs * expansion
        layers = [*conv_bn(inputs, hidden, 1), nn.ReLU6()] if expansion != 1 else []
        layers += [*conv_bn(hidden, hidden, kernel, stride, groups=hidden), nn.ReLU6()]
        layers += conv_bn(hidden, outputs, 1)
        self.body = nn.Sequential(*layers)
        self.skip = stride == 1 and inputs == outputs

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return pixels + self.body(pixels) if self.skip else self.body(pixels)


class EfficientNetLite0Features(nn.Module):
    """Photos in, pooled 1280-d features out (the listing's photo vector)."""

    width = LITE0_HEAD

    def __init__(self):
        super().__init__()
        layers, channels = [*conv_bn(3, LITE0_STEM, 3, 2), nn.ReLU6()], LITE0_STEM
        for expansion, kernel, stride, outputs, repeats in LITE0_STAGES:
            for index in range(repeats):
                block_stride = stride if index == 0 else 1
                layers.append(InvertedResidual(channels, outputs, expansion, kernel, block_stride))
                channels = outputs
        layers += [*conv_bn(channels, LITE0_HEAD, 1), nn.ReLU6()]
        self.body = nn.Sequential(*layers)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.body(pixels).mean(dim=(2, 3))


# all-MiniLM-L6-v2: a 6-layer BERT of width 384 (12 heads, 1536 feed-forward) over BERT's
# uncased 30,522 word pieces; the text vector is its tokens' mean.
MINILM = {"vocabulary": 30522, "positions": 512, "width": 384, "layers": 6, "heads": 12}
MINILM_FEED_FORWARD = 1536


class MiniLMText(nn.Module):
    """Token ids in, mean-pooled, normalised 384-d text vectors out."""

    def __init__(self):
        super().__init__()
        width = MINILM["width"]
        self.words = nn.Embedding(MINILM["vocabulary"], width)
        self.positions = nn.Embedding(MINILM["positions"], width)
        self.segments = nn.Embedding(2, width)
        self.embedding_norm = nn.LayerNorm(width, eps=1e-12)
        layer = nn.TransformerEncoderLayer(
            width,
            MINILM["heads"],
            MINILM_FEED_FORWARD,
            dropout=0.0,
            activation="gelu",
            batch_first=True,
            layer_norm_eps=1e-12,
        )
        self.layers = nn.TransformerEncoder(layer, MINILM["layers"], enable_nested_tensor=False)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        hidden = self.words(tokens) + self.positions(positions) + self.segments.weight[0]
        hidden = self.layers(self.embedding_norm(hidden), src_key_padding_mask=~mask)
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1)
        return F.normalize(pooled, dim=-1)


class PhotoTrainingHeads(nn.Module):
    """What fine-tuning trains on top of the photo features."""

    def __init__(self, features: int):
        super().__init__()
        self.kind = nn.Linear(features, KIND_CLASSES)
        self.colour = nn.Linear(features, COLOUR_CLASSES)
        self.to_text = nn.Linear(features, TEXT_VECTOR_WIDTH)


def synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(device: torch.device, work, repeats: int) -> float:
    """Seconds per call of work(), after one untimed call (kernel choice, allocations)."""
    work()
    synchronise(device)
    started = time.perf_counter()
    for _ in range(repeats):
        work()
    synchronise(device)
    return (time.perf_counter() - started) / repeats


def embedding_rates(device: torch.device, dtype: torch.dtype, listings: int, small: bool) -> dict:
    batches = BATCH_SIZES[device.type]
    photo_model = EfficientNetLite0Features().eval().to(device, dtype)
    photo_model = photo_model.to(memory_format=torch.channels_last)
    text_model = MiniLMText().eval().to(device, dtype)
    photos = torch.randn(batches["image"], 3, IMAGE_SIZE, IMAGE_SIZE, device=device, dtype=dtype)
    photos = photos.contiguous(memory_format=torch.channels_last)

    def batch_count(size: int) -> int:
        return SMALL_RUN_BATCHES if small else max(1, math.ceil(listings / size))

    with torch.inference_mode():
        photo_seconds = timed(device, lambda: photo_model(photos), batch_count(batches["image"]))
        text_seconds = {}
        for length in (SHORT_TEXT_TOKENS, MAX_TEXT_TOKENS):
            tokens = torch.randint(
                0, MINILM["vocabulary"], (batches["text"], length), device=device
            )
            mask = torch.ones_like(tokens, dtype=torch.bool)

            def encode_texts(tokens=tokens, mask=mask):
                return text_model(tokens, mask)

            text_seconds[length] = timed(device, encode_texts, batch_count(batches["text"]))
    per_photo = photo_seconds / batches["image"]
    per_text = {length: seconds / batches["text"] for length, seconds in text_seconds.items()}
    return {
        "photos_per_s": round(1 / per_photo),
        "texts_per_s": round(1 / per_text[SHORT_TEXT_TOKENS]),
        "texts_per_s_at_cap": round(1 / per_text[MAX_TEXT_TOKENS]),
        # The worker encodes a listing's photo and its text one after the other.
        "listings_per_s": round(1 / (per_photo + per_text[SHORT_TEXT_TOKENS])),
        "listings_per_s_at_text_cap": round(1 / (per_photo + per_text[MAX_TEXT_TOKENS])),
        "batch": batches,
    }


def augment(photos: torch.Tensor) -> torch.Tensor:
    """Per photo: a random crop of 80-100% of its side, anywhere, and a horizontal flip half
    of the time; no colour change (colour is a label)."""
    count = photos.shape[0]
    scale = torch.empty(count, device=photos.device).uniform_(*CROP_KEEPS)
    shift = (1 - scale).unsqueeze(1) * torch.empty(count, 2, device=photos.device).uniform_(-1, 1)
    flip = torch.where(torch.rand(count, device=photos.device) < 0.5, -1.0, 1.0)
    theta = torch.zeros(count, 2, 3, device=photos.device)
    theta[:, 0, 0], theta[:, 1, 1] = scale * flip, scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(photos.shape), align_corners=False)
    # The crop stays inside the photo; "border" keeps its outermost half pixel from blending
    # with black.
    return F.grid_sample(photos, grid.to(photos.dtype), padding_mode="border", align_corners=False)


def fine_tuning_epoch(device: torch.device, listings: int, small: bool) -> dict:
    batch = TRAIN_BATCH[device.type]
    steps = SMALL_RUN_BATCHES if small else max(1, math.ceil(listings / batch))
    model = EfficientNetLite0Features().to(device).to(memory_format=torch.channels_last)
    heads = PhotoTrainingHeads(model.width).to(device)
    optimiser = torch.optim.AdamW([*model.parameters(), *heads.parameters()], lr=1e-4)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    photos = torch.rand(batch, 3, IMAGE_SIZE, IMAGE_SIZE, device=device)
    kinds = torch.randint(0, KIND_CLASSES, (batch,), device=device)
    colours = torch.randint(0, COLOUR_CLASSES, (batch,), device=device)
    own_texts = F.normalize(torch.randn(batch, TEXT_VECTOR_WIDTH, device=device), dim=-1)
    targets = torch.arange(batch, device=device)

    def step():
        with autocast:
            views = augment(photos).contiguous(memory_format=torch.channels_last)
            features = model(views)
            to_text = F.normalize(heads.to_text(features).float(), dim=-1)
            loss = (
                F.cross_entropy(heads.kind(features).float(), kinds)
                + F.cross_entropy(heads.colour(features).float(), colours)
                + F.cross_entropy(to_text @ own_texts.T / CONTRASTIVE_TEMPERATURE, targets)
            )
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()

    model.train()
    seconds_per_step = timed(device, step, steps)
    return {
        "batch": batch,
        "seconds_per_step": round(seconds_per_step, 4),
        "epoch_s": round(seconds_per_step * math.ceil(listings / batch), 1),
    }


def photo_decodes_per_core() -> int | None:
    """A catalogue-sized JPEG (60x80) decoded and fitted to IMAGE_SIZE, per second, one core.
    Its pixels are noise, dearer to decode than a product on white: a lower bound."""
    try:
        from PIL import Image
    except ImportError:
        return None
    encoded = io.BytesIO()
    Image.frombytes("RGB", (60, 80), os.urandom(60 * 80 * 3)).save(encoded, "JPEG", quality=90)
    data, repeats = encoded.getvalue(), 500
    started = time.perf_counter()
    for _ in range(repeats):
        with Image.open(io.BytesIO(data)) as photo:
            photo.convert("RGB").resize((IMAGE_SIZE * 60 // 80, IMAGE_SIZE))
    return round(repeats / (time.perf_counter() - started))


def machine(device: torch.device) -> dict:
    return {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "cpu_cores": len(os.sched_getaffinity(0)),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    arguments = parser.parse_args()
    device = torch.device(arguments.device)
    small = device.type != "cuda"
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    torch.manual_seed(0)
    result = {
        "bench": "gpu",
        "machine": machine(device),
        "small": small,
        "listings": arguments.listings,
        "image_size": IMAGE_SIZE,
        "embedding": embedding_rates(device, dtype, arguments.listings, small),
        "fine_tuning_epoch": fine_tuning_epoch(device, arguments.listings, small),
        "photo_decodes_per_s_per_core": photo_decodes_per_core(),
    }
    if small:
        result["note"] = (
            f"no CUDA: {SMALL_RUN_BATCHES} batches a measurement at CPU batch sizes; "
            "epoch_s is extrapolated to the listings"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
