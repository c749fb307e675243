"""A photo encoder fine-tuned on a catalogue: the weights of its trained last blocks, on top of
the encoder's own, and the search model that trained them."""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PhotoTuning:
    version: str  # the search model that trained it: what index rows record as photo_version
    blocks: int  # how many of the image model's last blocks it retrained
    state: dict[str, torch.Tensor]  # those blocks' weights (the encoder's photo_model_split)


def version_of(tuning: PhotoTuning | None) -> str:
    """The photo_version of photos encoded with `tuning`: "" for the encoder's own model."""
    return tuning.version if tuning is not None else ""
