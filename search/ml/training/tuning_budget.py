"""How much of the image model a fine-tuning trains: as much as its time and memory allow on the
machine it runs on.

Each depth (the image model's last k blocks) is timed on one batch of this machine: the frozen
part's forward pass, which the view cache runs once per photo and view; a training step of the
rest, which every epoch runs once per batch; and the rest's forward pass, which gives the final
features. The deepest depth whose estimate fits VITRINE_PHOTO_TUNING_SECONDS, and whose cached
activations fit VITRINE_PHOTO_TUNING_MEMORY_MB, is trained. On a GPU that is the whole network;
on 2 CPU cores, 12 of EfficientNet-Lite0's 16 blocks for 10,000 listings. Depths are timed
deepest first, and the timing stops at the first that fits (about 10 s on a CPU).
"""

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from django.conf import settings
from PIL import Image

from search.ml.encoders.base import Encoder

# Depths tried, deepest first: every other block count, so that a CPU times a few, not all.
DEPTH_STEP = 2


@dataclass(frozen=True)
class TuningWork:
    """What a fine-tuning computes, whatever its depth."""

    photos: int  # photos cached in their plain view (and their final features computed)
    augmented: int  # changed views cached besides (those of the training photos)
    training: int  # photos an epoch trains on
    epochs: int
    batch_size: int

    @property
    def cached(self) -> int:
        return self.photos + self.augmented


@dataclass(frozen=True)
class TuningCost:
    blocks: int
    seconds: float  # estimated, for the whole of the work
    cache_bytes: int  # the frozen part's output for every cached view, in half precision

    def as_dict(self) -> dict:
        return {
            "blocks": self.blocks,
            "estimated_seconds": round(self.seconds, 1),
            "cache_mb": round(self.cache_bytes / 2**20),
        }


def train_with_pretrained_norms(module: torch.nn.Module) -> None:
    """Train mode, but batch norms keep the statistics they were pretrained with: a batch of
    product photos is too few and too alike to estimate them anew."""
    module.train()
    for part in module.modules():
        if isinstance(part, torch.nn.modules.batchnorm._BatchNorm):
            part.eval()


def tuning_depth(encoder: Encoder, work: TuningWork) -> TuningCost | None:
    """The depth to train: VITRINE_PHOTO_TUNING_BLOCKS when set (None: not timed), else the
    deepest that fits the budget, or the shallowest timed when none does."""
    if settings.VITRINE_PHOTO_TUNING_BLOCKS is not None:
        return None
    return deepest_fitting(
        range(encoder.photo_blocks, 0, -DEPTH_STEP),
        lambda blocks: measured_cost(encoder, blocks, work),
        seconds=settings.VITRINE_PHOTO_TUNING_SECONDS,
        memory_bytes=settings.VITRINE_PHOTO_TUNING_MEMORY_MB * 2**20,
    )


def deepest_fitting(
    depths: Iterable[int], cost_of: Callable[[int], TuningCost], seconds: float, memory_bytes: int
) -> TuningCost:
    """The cost of the first of `depths` (deepest first) within both budgets, or of the last
    when none is; later depths are not costed."""
    cost = None
    for blocks in depths:
        cost = cost_of(blocks)
        if cost.seconds <= seconds and cost.cache_bytes <= memory_bytes:
            return cost
    if cost is None:
        raise ValueError("no depth to choose from")
    return cost


def measured_cost(encoder: Encoder, blocks: int, work: TuningWork) -> TuningCost:
    """The work's time at this depth, from one batch of each part timed on this machine. Photo
    decoding is left out: it takes the same time at every depth."""
    frozen, trainable = encoder.photo_model_split(blocks)
    trainable = trainable.to(encoder.device)
    batch = _blank_batch(encoder, work.batch_size)
    autocast = torch.autocast(
        encoder.device.type, dtype=torch.bfloat16, enabled=encoder.device.type == "cuda"
    )

    def frozen_pass() -> torch.Tensor:
        with torch.inference_mode():
            return frozen(batch.to(encoder.dtype)).to(torch.float32)

    activations = frozen_pass().clone()

    def training_step() -> None:
        train_with_pretrained_norms(trainable)
        with autocast:
            features = trainable(activations)
        features.float().square().mean().backward()

    def features_pass() -> None:
        trainable.eval()
        with torch.inference_mode():
            trainable(activations)

    frozen_seconds, step_seconds, features_seconds = (
        _timed(run, encoder.device) for run in (frozen_pass, training_step, features_pass)
    )
    batches = math.ceil(work.cached / work.batch_size)
    seconds = (
        batches * frozen_seconds
        + work.epochs * math.ceil(work.training / work.batch_size) * step_seconds
        + math.ceil(work.photos / work.batch_size) * features_seconds
    )
    per_view = int(np.prod(activations.shape[1:])) * 2  # half precision
    return TuningCost(blocks, seconds, per_view * work.cached)


def _blank_batch(encoder: Encoder, size: int) -> torch.Tensor:
    """A batch of blank photos as the image model reads them: its time does not depend on them."""
    pixels = torch.from_numpy(encoder.photo_pixels(Image.new("RGB", (64, 64), "white")))
    return pixels.permute(2, 0, 1).expand(size, -1, -1, -1).contiguous().to(encoder.device)


def _timed(run, device: torch.device, repeats: int = 2) -> float:
    """The best of `repeats` timed runs, after an untimed one: other work on the machine only
    ever slows a run down."""
    run()
    _synchronise(device)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        _synchronise(device)
        best = min(best, time.perf_counter() - started)
    return best


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
