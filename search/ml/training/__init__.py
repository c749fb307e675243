"""`train_search`: the photo encoder fine-tuned, the photo map and the match head fitted on the
catalogue; saved, and activated once the index has the model's photo vectors (a new photo map
is then applied to the stored photos by the workers: search.ml.remapping)."""

import logging
import random
import time
from collections.abc import Callable

import numpy as np
import torch
from django.conf import settings

from search.db import vacuum_search_index
from search.keyword import keyword_ranks
from search.ml import trained
from search.ml.encoders.base import Encoder
from search.ml.encoders.tuning import PhotoTuning, version_of
from search.ml.photo_versions import finish_next_model, stage_photos, switch_photos
from search.ml.ranking import photo_map_input
from search.ml.training.catalogue import CatalogueSnapshot, load_snapshot, logged_text_queries
from search.ml.training.classifier import (
    attribute_labels,
    fit_attribute_classifier,
    held_out_accuracy,
    train_attribute_classifier,
)
from search.ml.training.match_head import evaluate_head, fit_relevance_cutoff, train_head
from search.ml.training.narrower_photos import fit_narrower_photos
from search.ml.training.photo_gate import PhotoMeasures, photo_decision, photo_retrieval_ndcg
from search.ml.training.photo_map import photo_text_agreement, recall_at, train_photo_map
from search.ml.training.photo_readers import PhotoReaders
from search.ml.training.photo_tuning import tune_photo_encoder
from search.ml.training.ranked_lists import (
    RankedLists,
    photo_query_lists,
    pseudo_text_queries,
    refined_photo_query_lists,
    text_query_lists,
)
from search.query_words import understand
from search.signals import photo_map_activated
from search.word_vectors import EncoderRelatedness, WordVectors

logger = logging.getLogger(__name__)

MIN_PRODUCTS = 40  # with both text and a photo
HELD_OUT_SHARE = 0.2
MAX_TEXT_QUERIES = 3000
MAX_PHOTO_QUERIES = 1500
MAX_REFINED_PHOTO_QUERIES = 750  # a photo and a colour: "like this, but in black"
MAX_LOGGED_QUERIES = 5000  # the newest shoppers' choices
EVALUATION_SHARE = 0.1
# A training's stages, in order, with the share of its time each took on 10,000 listings (the
# default encoders on 2 cores, 523 s in all, the photo encoder tuned and re-embedded): what its
# progress advances by.
STAGES = (
    ("reading the catalogue", 0.01),
    ("photo encoder", 0.57),
    ("photo map", 0.03),
    ("attribute classifier", 0.01),
    ("practice queries", 0.02),
    ("match head", 0.17),
    ("re-embedding photos", 0.15),
    ("applying the model", 0.04),
)
# Told a stage's name and the share of the whole training done so far.
Progress = Callable[[str, float], None]


class NotEnoughData(Exception):
    pass


def train_search(
    encoder: Encoder,
    *,
    seed: int = 0,
    log: Callable[[str], None] = logger.info,
    progress: Progress | None = None,
):
    """Train, save and activate a search model on the embedded catalogue; returns the model.

    Products with text and photo are split: the photo encoder and the photo map learn from 80%
    of them; the other 20% measure them and, in the head's training lists, play the sparse
    products (their text hidden), so that the head learns how far a photo the map never saw
    can be trusted.

    A photo encoder tuned anew serves only when it passes the gate (photo_gate) on those 20%;
    the gate reads the photos' features from the training's own computation. Only then are all
    photos re-embedded with it (search.ml.photo_versions), before the model is activated.
    """
    started = time.monotonic()
    log = _timed(log, started)
    stage = _stages(progress)
    rng = random.Random(seed)
    if resumed := finish_next_model(encoder):
        log(f"Finished re-embedding the photos of search model {resumed}, and activated it.")
    version = trained.new_version()
    active = trained.active_model(encoder.version)
    active_tuning = active.photo_tuning if active is not None else None
    stage("reading the catalogue")
    snapshot = load_snapshot(
        encoder.version,
        encoder.dims.text,
        encoder.dims.image,
        EncoderRelatedness(WordVectors(encoder)),
        photo_version=version_of(active_tuning),
        sample=settings.VITRINE_TRAINING_SAMPLE,
        seed=seed,
    )
    paired = np.flatnonzero(snapshot.has_text & snapshot.has_photo)
    if len(paired) < MIN_PRODUCTS:
        raise NotEnoughData(
            f"{len(paired)} embedded products have both text and a photo; training needs "
            f"{MIN_PRODUCTS}. Run `embed --sync` first, or add products."
        )
    shuffled = np.random.default_rng(seed).permutation(paired)
    held_out = shuffled[: max(2, int(len(paired) * HELD_OUT_SHARE))]
    learning = shuffled[len(held_out) :]
    metrics: dict = {"products": len(snapshot), "paired_products": len(paired)}
    log(f"Training on {len(snapshot):,} products (VITRINE_TRAINING_SAMPLE: a sample past it).")

    stage("photo encoder")
    photo_tuning, rejected = _tune_photo_encoder(
        encoder, snapshot, learning, held_out, version, active_tuning, metrics, log, stage, seed
    )
    stage("photo map")
    photo_map, photo_text_vectors = _fit_photo_map(
        encoder, snapshot, learning, held_out, metrics, log
    )
    metrics["photo_text_agreement"] = photo_text_agreement(
        photo_text_vectors[held_out], snapshot.text[held_out], np.random.default_rng(seed)
    )
    log(f"Photo and text agreement: {metrics['photo_text_agreement']}")
    plays_sparse = np.zeros(len(snapshot), dtype=bool)
    plays_sparse[held_out] = True
    narrower_photos, metrics["narrower_photos"] = fit_narrower_photos(
        snapshot, photo_text_vectors, learning, held_out
    )
    log(f"Narrower kinds by their photos: {metrics['narrower_photos']}")

    stage("attribute classifier")
    readings, attribute_agreement = fit_attribute_classifier(
        snapshot, learning, held_out, plays_sparse, metrics, log
    )
    stage("practice queries")
    log("Building ranked lists from pseudo-queries...")
    with_text = np.flatnonzero(snapshot.has_text).tolist()
    sources = rng.sample(with_text, min(MAX_TEXT_QUERIES, len(with_text)))
    clicks = logged_text_queries(snapshot, MAX_LOGGED_QUERIES)
    metrics["logged_queries"] = len(clicks)

    def snapshot_keyword_ranks(queries: list[str], rows: np.ndarray) -> np.ndarray:
        # Full-text search reads a query as search.selectors has it read.
        return keyword_ranks(
            [understand(query, snapshot.vocabulary).tsquery for query in queries],
            np.where(rows >= 0, snapshot.product_ids[np.maximum(rows, 0)], -1),
        )

    photos = PhotoReaders(
        title_match=readings.title_match if readings else None,
        colour_chance=readings.colour_chance if readings else None,
        narrower_photos=narrower_photos,
        photo_vectors=photo_text_vectors,
    )
    lists = {
        "text": text_query_lists(
            snapshot,
            photo_text_vectors,
            pseudo_text_queries(snapshot, sources, rng) + clicks,
            encode_texts=encoder.encode_texts,
            keyword_ranks=snapshot_keyword_ranks,
            plays_sparse=plays_sparse,
            photos=photos,
        ),
        "photo": photo_query_lists(
            snapshot,
            photo_text_vectors,
            held_out[:MAX_PHOTO_QUERIES].tolist(),
            plays_sparse,
            attribute_agreement,
        ),
        "refined_photo": refined_photo_query_lists(
            snapshot,
            photo_text_vectors,
            held_out[:MAX_REFINED_PHOTO_QUERIES].tolist(),
            plays_sparse,
            encode_texts=encoder.encode_texts,
            keyword_ranks=snapshot_keyword_ranks,
            rng=rng,
            attribute_agreement=attribute_agreement,
            photos=photos,
        ),
    }
    splits = {name: _split(kind) for name, kind in lists.items()}
    log(
        "Training the match head on "
        + ", ".join(f"{len(training)} {name} lists" for name, (training, _) in splits.items())
        + "..."
    )
    stage("match head")
    head = train_head(
        RankedLists.concatenate(*(training for training, _ in splits.values())),
        snapshot,
        photo_text_vectors,
        seed,
        on_epoch=lambda done: stage("match head", done),
    )
    for name, (_, evaluation) in splits.items():
        metrics[f"{name}_queries"] = evaluate_head(head, evaluation, snapshot, photo_text_vectors)
        log(f"{name} pseudo-queries: {metrics[f'{name}_queries']}")
    relevance_cutoff, metrics["relevance_cutoff"] = fit_relevance_cutoff(
        head,
        RankedLists.concatenate(*(evaluation for _, evaluation in splits.values())),
        snapshot,
        photo_text_vectors,
    )
    log(f"Relevance cut-off: {metrics['relevance_cutoff']}")

    model = trained.SearchModel(
        version=version,
        encoder_version=encoder.version,
        head=head,
        photo_map=photo_map,
        attribute_classifier=readings.classifier if readings else None,
        photo_tuning=photo_tuning,
        relevance_cutoff=relevance_cutoff,
        narrower_photos=narrower_photos,
        metrics={**metrics, "fit_seconds": round(time.monotonic() - started, 1)},
    )
    folder = trained.save(model)
    if rejected is not None:  # kept beside its metrics, never served
        torch.save(rejected.state, folder / "rejected_photo_tuning.pt")
    stage("re-embedding photos")
    if model.photo_version != version_of(active_tuning):
        trained.set_next(model.version)  # how an interrupted re-embedding resumes
        log("Re-embedding every photo with the new photo encoder...")
        staged = stage_photos(
            encoder,
            model,
            on_progress=lambda done, total: stage("re-embedding photos", done / max(total, 1)),
        )
        stage("applying the model")
        switched, flagged = switch_photos(model)
        log(f"{staged} photos re-embedded; {switched} switched, {flagged} left to the workers.")
        vacuum_search_index()
    else:
        stage("applying the model")
        trained.activate(model.version)
        if model.photo_map is not None:
            # The workers re-map the stored photos, a batch at a time (search.ml.remapping):
            # a training's time does not grow with the catalogue.
            photo_map_activated.send(sender=trained.SearchModel, version=model.version)
            log("The photos' re-mapping into the text space is handed to the workers.")
    trained.prune(keep=settings.VITRINE_SEARCH_MODELS_KEPT)
    stage("applying the model", 1.0)
    log(f"Activated search model {model.version}.")
    return model


def _tune_photo_encoder(
    encoder: Encoder,
    snapshot: CatalogueSnapshot,
    learning: np.ndarray,
    held_out: np.ndarray,
    version: str,
    active_tuning: PhotoTuning | None,
    metrics: dict,
    log: Callable[[str], None],
    stage: Callable[..., None],
    seed: int,
) -> tuple[PhotoTuning | None, PhotoTuning | None]:
    """(the photo encoder the model serves with, a tuned one the gate turned down). A tuned
    one that passes gives the snapshot its photo features."""
    if not encoder.tunes_photos or settings.VITRINE_PHOTO_TUNING_EPOCHS <= 0:
        return active_tuning, None
    log(f"Fine-tuning the photo encoder on {len(learning)} products...")
    tuned = tune_photo_encoder(
        encoder,
        snapshot,
        learning,
        version,
        seed=seed,
        on_progress=lambda done: stage("photo encoder", 0.9 * done),
    )
    if tuned is None:
        metrics["photo_encoder"] = {"activated": False, "reason": "nothing to learn from"}
        return active_tuning, None
    read = [snapshot.attributes(row) for row in range(len(snapshot))]
    _, labels = attribute_labels(read)
    before, after = (
        _photo_measures(snapshot, features, labels, read, learning, held_out)
        for features in (snapshot.image, tuned.features)
    )
    activated, reason = photo_decision(before, after)
    metrics["photo_encoder"] = {
        "activated": activated,
        "reason": reason,
        "active": before.as_dict(),
        "tuned": after.as_dict(),
        "blocks": tuned.tuning.blocks,
        "trained_products": tuned.trained_rows,
        "seconds": tuned.seconds,
        "chosen_for_budget": tuned.depth.as_dict() if tuned.depth is not None else None,
    }
    log(f"Photo encoder: {metrics['photo_encoder']}")
    if not activated:
        return active_tuning, tuned.tuning
    snapshot.replace_photos(tuned.features)
    return tuned.tuning, None


def _photo_measures(snapshot, features, labels, read, learning, held_out) -> PhotoMeasures:
    """How well photo features find and name the held-out products: the gate's measures."""
    normalised = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-9)
    inputs = photo_map_input(normalised, snapshot.colour)
    classifier = train_attribute_classifier(inputs[learning], [read[row] for row in learning])
    accuracy = {}
    if classifier is not None:
        accuracy = held_out_accuracy(
            classifier, classifier.predict(inputs[held_out]), [read[row] for row in held_out]
        )
    return PhotoMeasures(
        retrieval_ndcg_at_10=photo_retrieval_ndcg(features, snapshot.has_photo, labels, held_out),
        noun_accuracy=accuracy.get("noun", {}).get("accuracy", 0.0),
        colour_accuracy=accuracy.get("colour", {}).get("accuracy", 0.0),
        noun_listings=accuracy.get("noun", {}).get("listings", 0),
        colour_listings=accuracy.get("colour", {}).get("listings", 0),
    )


def _fit_photo_map(encoder, snapshot, learning, held_out, metrics, log):
    """The trained map (None for an encoder with one shared space) and every product's photo
    in the text space, by it."""
    if encoder.shares_text_space:
        return None, encoder.images_to_text_space(snapshot.image) * snapshot.has_photo[:, None]
    log(f"Training the photo map on {len(learning)} products...")
    photo_map = train_photo_map(
        photo_map_input(snapshot.image[learning], snapshot.colour[learning]),
        snapshot.text[learning],
    )
    mapped = (
        trained.map_photos(photo_map, snapshot.image, snapshot.colour) * snapshot.has_photo[:, None]
    )
    zero_shot = encoder.images_to_text_space(snapshot.image[held_out])
    metrics["photo_map"] = {
        "held_out_pairs": len(held_out),
        "recall_at_10": recall_at(10, mapped[held_out], snapshot.text[held_out]),
        "zero_shot_recall_at_10": recall_at(10, zero_shot, snapshot.text[held_out]),
    }
    log(f"Photo map: {metrics['photo_map']}")
    return photo_map, mapped.astype(np.float32)


def _split(lists: RankedLists) -> tuple[RankedLists, RankedLists]:
    """(training, evaluation) lists."""
    evaluation = np.arange(len(lists)) < len(lists) * EVALUATION_SHARE
    return lists.subset(~evaluation), lists.subset(evaluation)


def _stages(progress: Progress | None) -> Callable[..., None]:
    """stage(name, within=0.0): tell `progress` that stage `name` is `within` (0 to 1) done."""
    starts, done = {}, 0.0
    for name, share in STAGES:
        starts[name], done = (done, share), done + share

    def stage(name: str, within: float = 0.0) -> None:
        if progress is not None:
            start, share = starts[name]
            progress(name, min(1.0, start + share * within))

    return stage


def _timed(log: Callable[[str], None], started: float) -> Callable[[str], None]:
    return lambda message: log(f"[{time.monotonic() - started:5.0f} s] {message}")
