"""Trained search models: saved by version under the data dir, activated atomically, and picked
up by every web and worker process without a restart.

    <models dir>/<version>/model.pt      the map, the head, the photo encoder's tuning
    <models dir>/<version>/metrics.json  what training measured
    <models dir>/ACTIVE                  the active version's name
    <models dir>/NEXT                    a version waiting for its photo vectors, if any

The models dir is VITRINE_SEARCH_MODELS_DIR, by default <data dir>/search-models.

Activation replaces ACTIVE in one rename; a process compares ACTIVE's stamp on each use (one
stat call) and loads the new version when it changed.
"""

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from django.conf import settings

from search.ml.attribute_classifier import AttributeClassifier
from search.ml.encoders.tuning import PhotoTuning, version_of
from search.ml.narrower_photos import NarrowerPhotos
from search.ml.ranking import (
    CandidateBatch,
    MatchHead,
    PhotoToTextMap,
    QueryBatch,
    pair_features,
    photo_map_input,
)
from search.ml.relevance import RelevanceCutoff

if TYPE_CHECKING:
    from search.ml.encoders.base import Encoder

logger = logging.getLogger(__name__)

ACTIVE_FILE = "ACTIVE"
NEXT_FILE = "NEXT"
# The layout of a saved model and of its photo map's input: a saved model of another layout is
# not used (search falls back to untrained fusion until the next training).
MODEL_FORMAT = 5
# The layout of the match head's features (search.ml.ranking.SCALAR_FEATURES). A saved model
# with a head of another layout still serves its photo encoder and photo map, which the index's
# photo vectors were made with, and ranks without its head until the next training; that
# training starts from those photos.
HEAD_FORMAT = 4


@dataclass
class SearchModel:
    version: str
    encoder_version: str  # the encoder whose vectors it was trained on
    head: MatchHead | None  # None when saved with another HEAD_FORMAT
    # None when the encoder already puts photos in the text space (CLIP).
    photo_map: PhotoToTextMap | None
    # None when the catalogue's titles name too few things to learn from.
    attribute_classifier: AttributeClassifier | None = None
    # The photo encoder fine-tuned on the catalogue that its photo vectors come from (this
    # model's own or an earlier one's); None for the encoder's own.
    photo_tuning: PhotoTuning | None = None
    # Where its matches end (search.ml.relevance); None for a model trained before it was.
    relevance_cutoff: RelevanceCutoff | None = None
    # What the catalogue's narrower kinds look like; None where it tells none apart by photos.
    narrower_photos: NarrowerPhotos | None = None
    metrics: dict = field(default_factory=dict)

    @property
    def photo_version(self) -> str:
        """What index rows whose photos it encoded record as photo_version."""
        return version_of(self.photo_tuning)

    @property
    def map_version(self) -> str:
        """What index rows whose photos went through this model's map record as map_version."""
        return self.version if self.photo_map is not None else ""

    def map_photos(self, image_vectors: np.ndarray, colour_vectors: np.ndarray) -> np.ndarray:
        return map_photos(self.photo_map, image_vectors, colour_vectors)

    def score(self, queries: QueryBatch, candidates: CandidateBatch) -> np.ndarray:
        """The head's scores; only for a model with a head (`head` is not None)."""
        with torch.inference_mode():
            return self.head(pair_features(queries, candidates)).numpy()


def map_photos(
    photo_map: PhotoToTextMap, image_vectors: np.ndarray, colour_vectors: np.ndarray
) -> np.ndarray:
    inputs = torch.from_numpy(photo_map_input(image_vectors, colour_vectors))
    with torch.inference_mode():
        return photo_map(inputs).numpy()


def models_dir() -> Path:
    return Path(settings.VITRINE_SEARCH_MODELS_DIR)


_VERSION_FORMAT = "%Y%m%dT%H%M%S%fZ"


def new_version() -> str:
    """A new model's version: when it was trained, in UTC, so versions sort by age."""
    return datetime.now(UTC).strftime(_VERSION_FORMAT)


def trained_at(version: str) -> datetime:
    return datetime.strptime(version, _VERSION_FORMAT).replace(tzinfo=UTC)


def save(model: SearchModel) -> Path:
    folder = models_dir() / model.version
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "format": MODEL_FORMAT,
            "head_format": HEAD_FORMAT,
            "version": model.version,
            "encoder_version": model.encoder_version,
            "head": model.head.state_dict(),
            "head_args": model.head.args,
            "photo_map": model.photo_map.state_dict() if model.photo_map else None,
            "photo_map_args": model.photo_map.args if model.photo_map else None,
            "attributes": (
                model.attribute_classifier.state_dict() if model.attribute_classifier else None
            ),
            "attributes_args": (
                model.attribute_classifier.args if model.attribute_classifier else None
            ),
            "photo_tuning": dict(vars(model.photo_tuning)) if model.photo_tuning else None,
            "relevance_cutoff": (
                model.relevance_cutoff.as_list() if model.relevance_cutoff else None
            ),
            "narrower_photos": (
                model.narrower_photos.as_saved() if model.narrower_photos else None
            ),
        },
        folder / "model.pt",
    )
    (folder / "metrics.json").write_text(json.dumps(model.metrics, indent=2) + "\n")
    return folder


def activate(version: str) -> None:
    """Make `version` the one every process uses, in one atomic rename."""
    _point(ACTIVE_FILE, version)


def active_version() -> str | None:
    return _pointed(ACTIVE_FILE)


def set_next(version: str | None) -> None:
    """Mark `version` as waiting for its photo vectors (None: none waits)."""
    if version is None:
        (models_dir() / NEXT_FILE).unlink(missing_ok=True)
    else:
        _point(NEXT_FILE, version)


def next_version() -> str | None:
    return _pointed(NEXT_FILE)


def _point(name: str, version: str) -> None:
    pointer = models_dir() / name
    temporary = pointer.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(version + "\n")
    os.replace(temporary, pointer)


def _pointed(name: str) -> str | None:
    try:
        return (models_dir() / name).read_text().strip() or None
    except FileNotFoundError:
        return None


def prune(keep: int) -> list[str]:
    """Delete all but the `keep` newest saved versions, never the active one nor the one waiting
    for its photo vectors; returns the versions deleted. Each version holds its photo encoder's
    weights (megabytes), and beat retrains nightly."""
    spared = {active_version(), next_version()}
    versions = sorted(
        (folder.name for folder in models_dir().iterdir() if (folder / "model.pt").exists()),
        reverse=True,
    )
    deleted = [version for version in versions[keep:] if version not in spared]
    for version in deleted:
        shutil.rmtree(models_dir() / version, ignore_errors=True)
    return deleted


def load(version: str) -> SearchModel | None:
    """The saved model, or None when it was saved in another format."""
    saved = torch.load(models_dir() / version / "model.pt", weights_only=True)
    if saved.get("format") != MODEL_FORMAT:
        logger.warning("Search model %s has another format; it is not used.", version)
        return None
    head = None
    if saved.get("head_format", 1) == HEAD_FORMAT:
        head = MatchHead(*saved["head_args"])
        head.load_state_dict(saved["head"])
        head.eval()
    else:
        logger.warning(
            "Search model %s has a match head of another format: results are ranked without "
            "it until the next training.",
            version,
        )
    photo_map = None
    if saved["photo_map"] is not None:
        photo_map = PhotoToTextMap(*saved["photo_map_args"])
        photo_map.load_state_dict(saved["photo_map"])
        photo_map.eval()
    attribute_classifier = None
    if saved["attributes"] is not None:
        attribute_classifier = AttributeClassifier(*saved["attributes_args"])
        attribute_classifier.load_state_dict(saved["attributes"])
        attribute_classifier.eval()
    tuning = saved.get("photo_tuning")
    cutoff = saved.get("relevance_cutoff")
    narrower = saved.get("narrower_photos")
    metrics_file = models_dir() / version / "metrics.json"
    return SearchModel(
        version=saved["version"],
        encoder_version=saved["encoder_version"],
        head=head,
        photo_map=photo_map,
        attribute_classifier=attribute_classifier,
        photo_tuning=PhotoTuning(**tuning) if tuning else None,
        # The cut-off reads the head's scores.
        relevance_cutoff=RelevanceCutoff(*cutoff) if cutoff and head is not None else None,
        narrower_photos=NarrowerPhotos.from_saved(narrower) if narrower else None,
        metrics=json.loads(metrics_file.read_text()) if metrics_file.exists() else {},
    )


def active_model(encoder_version: str) -> SearchModel | None:
    """The active model when it was trained for this encoder version, else None."""
    model = loaded_active_model()
    if model is None or model.encoder_version != encoder_version:
        return None
    return model


def loaded_active_model() -> SearchModel | None:
    """This process's copy of the active model, whatever encoder it was trained for (None: no
    model is active, or it failed to load). Work that loads no encoder (search.ml.remapping)
    reads it here."""
    return _active.get()


def active_model_failed() -> bool:
    """Whether the active model failed to load (searches rank without it meanwhile)."""
    return _active.failed


class _ActiveModelCache:
    """This process's copy of the active model, reloaded when ACTIVE changes. One that fails
    to load is logged and not tried again until ACTIVE changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._model: SearchModel | None = None
        self.failed = False

    def get(self) -> SearchModel | None:
        try:
            status = (models_dir() / ACTIVE_FILE).stat()
            stamp = (status.st_ino, status.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    version = active_version() if stamp else None
                    try:
                        self._model, self.failed = (load(version) if version else None), False
                    except Exception:
                        logger.exception("Search model %s failed to load", version)
                        self._model, self.failed = None, True
                    self._stamp = stamp
        return self._model


_active = _ActiveModelCache()


def served_photo_version(model: SearchModel | None) -> str:
    """The photo_version of the photos that `model` (None: no trained model) searches among."""
    return model.photo_version if model is not None else ""


def photos_to_text_space(
    encoder: "Encoder",
    model: SearchModel | None,
    image_vectors: np.ndarray,
    colour_vectors: np.ndarray,
) -> tuple[np.ndarray, str]:
    """Photos in the text space, by the model's trained map when there is one (else the
    encoder's own, zero-shot one), and the map's version ("" for the encoder's)."""
    if model is not None and model.photo_map is not None:
        return model.map_photos(image_vectors, colour_vectors), model.map_version
    return encoder.images_to_text_space(image_vectors), ""


def encode_photos(
    encoder: "Encoder", model: SearchModel | None, photos: list
) -> tuple[np.ndarray, str]:
    """Photos into the image space by the model's photo encoder, and its photo_version."""
    tuning = model.photo_tuning if model is not None else None
    return encoder.encode_images(photos, tuning), version_of(tuning)
