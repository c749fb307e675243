"""Training the photo-to-text map contrastively: each product's photo and its own text are a
positive pair, the other products in the batch are negatives (as CLIP trains)."""

import numpy as np
import torch

from search.ml.ranking import PhotoToTextMap

EPOCHS = 40
BATCH_SIZE = 512
LEARNING_RATE = 2e-3
TEMPERATURE = 0.05


def train_photo_map(
    photo_inputs: np.ndarray, text_vectors: np.ndarray, seed: int = 0
) -> PhotoToTextMap:
    """A map fitted on (photo_map_input, text vector) pairs, row i with row i."""
    torch.manual_seed(seed)
    images = torch.from_numpy(photo_inputs)
    texts = torch.from_numpy(text_vectors)
    photo_map = PhotoToTextMap(images.shape[1], texts.shape[1])
    optimiser = torch.optim.AdamW(photo_map.parameters(), lr=LEARNING_RATE, weight_decay=1e-2)
    steps = EPOCHS * max(1, -(-len(images) // BATCH_SIZE))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, LEARNING_RATE, total_steps=steps)
    photo_map.train()
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(images)).split(BATCH_SIZE):
            if len(batch) < 2:
                continue
            logits = photo_map(images[batch]) @ texts[batch].T / TEMPERATURE
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, target)
                + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    return photo_map.eval()


def recall_at(k: int, mapped_photos: np.ndarray, text_vectors: np.ndarray) -> float:
    """Share of photos whose own text is among the k texts nearest to the mapped photo."""
    similarities = mapped_photos @ text_vectors.T
    own = np.diag(similarities)
    ranks = (similarities > own[:, None]).sum(axis=1)
    return float((ranks < k).mean())


# The share of genuine products (photo and own text) that the disagreement warning may wrongly
# flag: the threshold is this quantile of their similarities.
WRONGLY_WARNED_SHARE = 0.03


def photo_text_agreement(
    photos: np.ndarray, texts: np.ndarray, rng: np.random.Generator
) -> dict[str, float]:
    """Where to warn a merchant that a product's photo and text show different products.

    `photos` (in the text space) and `texts` are products the map never learned from, row i
    with row i. Below `warn_below`, a photo is further from its text than all but
    WRONGLY_WARNED_SHARE of genuine pairs; `mismatches_warned` is the share of mismatched
    pairs (each photo with another random product's text) that fall below it.
    """
    genuine = _cosines(photos, texts)
    warn_below = float(np.quantile(genuine, WRONGLY_WARNED_SHARE))
    others = (np.arange(len(texts)) + rng.integers(1, len(texts), len(texts))) % len(texts)
    mismatched = _cosines(photos, texts[others])
    return {
        "warn_below": round(warn_below, 4),
        "genuine_warned": WRONGLY_WARNED_SHARE,
        "mismatches_warned": round(float((mismatched < warn_below).mean()), 3),
    }


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.einsum("ij,ij->i", a, b) / np.maximum(norms, 1e-12)
