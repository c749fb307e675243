"""Fine-tuning the photo encoder on the catalogue: its photos learn to tell apart what the
catalogue's own words tell apart (kinds, colours, audiences, as search.ml.vocabulary reads
them from titles and category paths), and to agree with their own listing's text.

The image model's last blocks are trained, as many as the time and memory budget allow on this
machine (search.ml.training.tuning_budget: all of them on a GPU); the part below them is frozen,
so its output is computed once per photo and view and kept, and an epoch costs only the trained
part. The pooled features of the trained model become the listings' photo vectors once the gate
(search.ml.training.photo_gate) has found them better than the active ones.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from django.conf import settings
from PIL import Image

from catalog.models import ProductImage
from search.ml.attribute_classifier import ATTRIBUTES
from search.ml.encoders.base import Encoder
from search.ml.encoders.tuning import PhotoTuning
from search.ml.training.catalogue import CatalogueSnapshot
from search.ml.training.classifier import UNLABELLED, attribute_labels
from search.ml.training.tuning_budget import (
    TuningCost,
    TuningWork,
    train_with_pretrained_norms,
    tuning_depth,
)
from search.photos import PhotoDecodeError, load_photo

# Standard fine-tuning choices, not fitted to any catalogue: AdamW, the pretrained blocks at a
# tenth of the new heads' rate, a contrastive temperature as CLIP-style training starts with.
# A batch per device: what stays in a CPU's caches, what keeps a GPU busy (bench/gpu.py).
BATCH_SIZES = {"cpu": 64, "cuda": 256}
BACKBONE_LEARNING_RATE = 3e-4
HEAD_LEARNING_RATE = 3e-3
TEMPERATURE = 0.05
DROPOUT = 0.2
# Each photo is seen as it is and in AUGMENTED_VIEWS changed views (cropped, mirrored).
AUGMENTED_VIEWS = 1
CROP_KEEPS = (0.8, 1.0)  # of each side


@dataclass
class TunedPhotos:
    tuning: PhotoTuning
    # Every snapshot row's photo by the tuned model (the first photo; the active features
    # where a photo could not be read now).
    features: np.ndarray
    trained_rows: int
    seconds: float
    depth: TuningCost | None  # how the depth was chosen (None: set by VITRINE_PHOTO_TUNING_BLOCKS)


def tune_photo_encoder(
    encoder: Encoder,
    snapshot: CatalogueSnapshot,
    learning: np.ndarray,
    version: str,
    *,
    seed: int = 0,
    on_progress: Callable[[float], None] = lambda done: None,
) -> TunedPhotos | None:
    """The image model fine-tuned on the `learning` rows' photos; None when the catalogue names
    no attribute with two classes and has no text to agree with."""
    started = time.monotonic()
    classes, labels = attribute_labels([snapshot.attributes(row) for row in range(len(snapshot))])
    heads = {
        name: len(classes[name])
        for name in ATTRIBUTES
        if classes is not None and len(classes[name]) >= 2
    }
    if not heads and not snapshot.has_text.any():
        return None
    rng = random.Random(seed)
    torch.manual_seed(seed)
    batch_size = BATCH_SIZES.get(encoder.device.type, BATCH_SIZES["cpu"])
    with_photo = np.flatnonzero(snapshot.has_photo)
    training = np.intersect1d(learning, with_photo)
    work = TuningWork(
        photos=len(with_photo),
        augmented=AUGMENTED_VIEWS * len(training),
        training=len(training),
        epochs=settings.VITRINE_PHOTO_TUNING_EPOCHS,
        batch_size=batch_size,
    )
    depth = tuning_depth(encoder, work)
    blocks = settings.VITRINE_PHOTO_TUNING_BLOCKS if depth is None else depth.blocks
    frozen, trainable = encoder.photo_model_split(blocks)
    photos = _first_photos(snapshot.product_ids[with_photo])
    cache = _ViewCache(encoder, frozen)
    for start in range(0, len(with_photo), batch_size):
        rows = with_photo[start : start + batch_size]
        cache.add(rows, [photos.get(int(snapshot.product_ids[row])) for row in rows], training, rng)
        on_progress(0.3 * min(1.0, (start + batch_size) / len(with_photo)))
    training = training[cache.readable(training)]
    if not len(training):
        return None

    model = _TuningModel(trainable, heads, encoder.dims.image, encoder.dims.text).to(encoder.device)
    targets = _Targets(labels, snapshot.text, snapshot.has_text, encoder.device)

    def on_epoch(done: float) -> None:
        on_progress(0.3 + 0.65 * done)

    _fit(model, cache, targets, training, batch_size, seed, on_epoch)

    model.eval()
    features = snapshot.image.copy()
    readable = with_photo[cache.readable(with_photo)]
    with torch.inference_mode():
        for start in range(0, len(readable), 4 * batch_size):
            rows = readable[start : start + 4 * batch_size]
            plain = torch.zeros(len(rows), dtype=torch.long)
            features[rows] = model.trainable(cache.activations(rows, plain)).cpu().numpy()
    on_progress(1.0)
    state = {name: value.detach().cpu() for name, value in model.trainable.state_dict().items()}
    return TunedPhotos(
        tuning=PhotoTuning(version=version, blocks=blocks, state=state),
        features=features,
        trained_rows=len(training),
        depth=depth,
        seconds=round(time.monotonic() - started, 1),
    )


def _fit(
    model: "_TuningModel",
    cache: "_ViewCache",
    targets: "_Targets",
    training: np.ndarray,
    batch_size: int,
    seed: int,
    on_epoch: Callable[[float], None],
) -> None:
    """VITRINE_PHOTO_TUNING_EPOCHS over the training rows, each photo in a view drawn anew."""
    device = cache.encoder.device
    # On a GPU in bfloat16, as bench/gpu.py measures it; on a CPU in full precision.
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    optimiser = torch.optim.AdamW(
        [
            {"params": model.trainable.parameters(), "lr": BACKBONE_LEARNING_RATE},
            {"params": model.heads.parameters(), "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=1e-4,
    )
    epochs = settings.VITRINE_PHOTO_TUNING_EPOCHS
    batches = max(1, -(-len(training) // batch_size))
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser,
        max_lr=[BACKBONE_LEARNING_RATE, HEAD_LEARNING_RATE],
        total_steps=epochs * batches,
        pct_start=0.1,
    )
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        train_with_pretrained_norms(model)
        order = training[torch.randperm(len(training), generator=generator).numpy()]
        for batch in np.array_split(order, batches):
            view = torch.randint(0, 1 + AUGMENTED_VIEWS, (len(batch),), generator=generator)
            with autocast:
                features = model.trainable(cache.activations(batch, view))
            loss = model.loss(features.float(), targets, batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        on_epoch((epoch + 1) / epochs)


def _first_photos(product_ids: np.ndarray) -> dict[int, ProductImage]:
    """Each product's first photo (the one a shopper sees first)."""
    first: dict[int, ProductImage] = {}
    images = ProductImage.objects.filter(product_id__in=product_ids.tolist()).order_by(
        "product_id", "position"
    )
    for image in images.iterator(chunk_size=2000):
        first.setdefault(image.product_id, image)
    return first


def augmented(image: Image.Image, rng: random.Random) -> Image.Image:
    """A changed view of a product photo, as another photo of it could be: cropped a little,
    perhaps mirrored. Its colours stay as they are, lightness included: colour is what shoppers
    search by, and colour names tell lightness apart (navy and blue, charcoal and grey)."""
    width, height = image.size
    keep_w, keep_h = (rng.uniform(*CROP_KEEPS) for _ in range(2))
    left = rng.uniform(0, width * (1 - keep_w))
    top = rng.uniform(0, height * (1 - keep_h))
    view = image.crop((int(left), int(top), int(left + width * keep_w), int(top + height * keep_h)))
    if rng.random() < 0.5:
        view = view.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return view


class _ViewCache:
    """The frozen part's output for each photo: its plain view for every row, and
    AUGMENTED_VIEWS changed views for the rows that train; half precision, on the CPU."""

    def __init__(self, encoder: Encoder, frozen: torch.nn.Module):
        self.encoder, self.frozen = encoder, frozen
        self.views: list[dict[int, torch.Tensor]] = [{} for _ in range(1 + AUGMENTED_VIEWS)]

    def add(self, rows, photos, training: np.ndarray, rng: random.Random) -> None:
        decoded = {}
        for row, photo in zip(rows, photos, strict=True):
            if photo is None:
                continue
            try:
                with photo.image.open("rb") as photo_file:
                    decoded[int(row)] = load_photo(
                        photo_file, max_pixels=settings.VITRINE_MAX_IMAGE_PIXELS
                    )
            except (PhotoDecodeError, OSError):
                continue  # left out of training; the re-embedding records the error
        if not decoded:
            return
        trains = np.isin(list(decoded), training)
        for view, store in enumerate(self.views):
            chosen = [row for row, train in zip(decoded, trains, strict=True) if train or not view]
            if not chosen:
                continue
            images = [decoded[row] if not view else augmented(decoded[row], rng) for row in chosen]
            for row, activation in zip(chosen, self._frozen_output(images), strict=True):
                store[row] = activation

    def _frozen_output(self, images: list[Image.Image]) -> torch.Tensor:
        pixels = np.stack([self.encoder.photo_pixels(image) for image in images])
        batch = torch.from_numpy(pixels).permute(0, 3, 1, 2)
        batch = batch.to(self.encoder.device, self.encoder.dtype)
        with torch.inference_mode():
            return self.frozen(batch).to("cpu", torch.float16)

    def readable(self, rows: np.ndarray) -> np.ndarray:
        return np.array([int(row) in self.views[0] for row in rows], dtype=bool)

    def activations(self, rows: np.ndarray, view: torch.Tensor) -> torch.Tensor:
        stacked = torch.stack(
            [self.views[int(v)][int(row)] for row, v in zip(rows, view, strict=True)]
        )
        return stacked.to(self.encoder.device, torch.float32)


class _Targets:
    """What each row's photo should say: its attribute classes, and its own text."""

    def __init__(self, labels: np.ndarray, text: np.ndarray, has_text: np.ndarray, device):
        self.labels = torch.from_numpy(labels).to(device)
        self.text = torch.nn.functional.normalize(torch.from_numpy(text), dim=-1).to(device)
        self.has_text = torch.from_numpy(has_text).to(device)


class _TuningModel(torch.nn.Module):
    """The trainable part of the image model, with a classifier per attribute and a projection
    into the text space on top (only the trainable part is kept)."""

    def __init__(self, trainable: torch.nn.Module, heads: dict[str, int], width: int, text: int):
        super().__init__()
        self.trainable = trainable
        self.heads = torch.nn.ModuleDict(
            {name: torch.nn.Linear(width, classes) for name, classes in heads.items()}
        )
        self.heads["text"] = torch.nn.Linear(width, text)
        self.dropout = torch.nn.Dropout(DROPOUT)

    def loss(self, features: torch.Tensor, targets: _Targets, rows: np.ndarray) -> torch.Tensor:
        shared = self.dropout(features)
        index = torch.from_numpy(rows).to(features.device)
        labels = targets.labels[index]
        loss = features.new_zeros(())
        for column, name in enumerate(ATTRIBUTES):
            if name in self.heads and (labels[:, column] != UNLABELLED).any():
                loss = loss + torch.nn.functional.cross_entropy(
                    self.heads[name](shared),
                    labels[:, column],
                    ignore_index=UNLABELLED,
                    label_smoothing=0.1,
                )
        with_text = targets.has_text[index]
        if with_text.sum() >= 2:
            photos = torch.nn.functional.normalize(self.heads["text"](shared[with_text]), dim=-1)
            logits = photos @ targets.text[index[with_text]].T / TEMPERATURE
            own = torch.arange(len(logits), device=logits.device)
            loss = loss + torch.nn.functional.cross_entropy(logits, own)
        return loss
