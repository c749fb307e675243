"""Training the attribute classifier: products' photos labelled by what their own words say
they are (kind, colour, audience). Only values that enough products name become classes; a
catalogue that names no audience trains the other attributes alone."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from search.ml.attribute_classifier import (
    ATTRIBUTES,
    AttributeClassifier,
    AttributeProfiles,
    agreement,
    colour_chance,
    predicted_title_match,
)
from search.ml.attributes import Attributes
from search.ml.ranking import photo_map_input
from search.ml.training.catalogue import CatalogueSnapshot
from search.ml.words import UNISEX

MIN_PRODUCTS_PER_CLASS = 5
EPOCHS = 25
BATCH_SIZE = 256
LEARNING_RATE = 3e-3
UNLABELLED = -100  # cross_entropy's ignore_index


@dataclass
class ClassifierReadings:
    """What a fitted classifier reads in every product's photo, as training's ranked lists take
    it (search.ml.training.ranked_lists), with snapshot rows."""

    classifier: AttributeClassifier
    predicted: AttributeProfiles  # every row's

    def title_match(self, wanted: Attributes, rows: np.ndarray) -> np.ndarray:
        """For products playing sparse: what their titles would say of the query."""
        return predicted_title_match(self.classifier.classes, self.predicted.rows(rows), wanted)

    def colour_chance(self, wanted: Attributes, rows: np.ndarray) -> np.ndarray | None:
        """For listings that state no colour: the chance that they are in the query's."""
        return colour_chance(self.classifier.classes, self.predicted.rows(rows), wanted)


def fit_attribute_classifier(
    snapshot: CatalogueSnapshot,
    learning: np.ndarray,
    held_out: np.ndarray,
    plays_sparse: np.ndarray,
    metrics: dict,
    log: Callable[[str], None],
) -> tuple[ClassifierReadings | None, Callable[[int, np.ndarray], np.ndarray] | None]:
    """The classifier fitted on the `learning` rows, with what it reads in every photo; and
    attribute_classifier.agreement of a product's photo with candidates as training lists see
    them (those playing sparse judged by their photo). (None, None) where the titles name too
    few things to learn from."""
    log(f"Training the attribute classifier on {len(learning)} products...")
    inputs = photo_map_input(snapshot.image_normalised, snapshot.colour)
    classifier = train_attribute_classifier(
        inputs[learning], [snapshot.attributes(i) for i in learning]
    )
    if classifier is None:
        return None, None
    predicted = classifier.predict(inputs)
    metrics["attribute_classifier"] = held_out_accuracy(
        classifier, predicted.rows(held_out), [snapshot.attributes(i) for i in held_out]
    )
    log(f"Attribute classifier: {metrics['attribute_classifier']}")
    products = classifier.profiles(
        snapshot.titles, snapshot.categories, predicted, snapshot.has_text & ~plays_sparse
    )

    def attribute_agreement(query_row: int, candidate_rows: np.ndarray) -> np.ndarray:
        query = predicted.rows(np.array([query_row]))
        return agreement(classifier.classes, query, products.rows(candidate_rows))

    return ClassifierReadings(classifier, predicted), attribute_agreement


def train_attribute_classifier(
    inputs: np.ndarray, read: list[Attributes], seed: int = 0
) -> AttributeClassifier | None:
    """A classifier fitted on (photo-map input, what the product's words say) pairs; None when
    neither kinds nor colours have two classes to tell apart."""
    classes, labels = attribute_labels(read)
    if classes is None:
        return None
    labels = torch.from_numpy(labels)
    torch.manual_seed(seed)
    features = torch.from_numpy(np.asarray(inputs, dtype=np.float32))
    classifier = AttributeClassifier(features.shape[1], classes)
    optimiser = torch.optim.AdamW(classifier.parameters(), lr=LEARNING_RATE, weight_decay=1e-3)
    classifier.train()
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(features)).split(BATCH_SIZE):
            logits = classifier(features[batch])
            loss = sum(
                torch.nn.functional.cross_entropy(
                    logits[name],
                    labels[batch, column],
                    ignore_index=UNLABELLED,
                    label_smoothing=0.05,
                )
                for column, name in enumerate(ATTRIBUTES)
                if (labels[batch, column] != UNLABELLED).any()
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return classifier.eval()


def held_out_accuracy(
    classifier: AttributeClassifier, predicted: AttributeProfiles, read: list[Attributes]
) -> dict[str, dict[str, float]]:
    """Per attribute, on products it never learned from: the share whose title's value the
    classifier ranks first, beside the share of the most common value (guessing it), and how
    many products name a value."""
    named = [_named(found) for found in read]
    figures = {}
    for name in ATTRIBUTES:
        classes = classifier.classes[name]
        labels = np.array([_label(classes, values[name]) for values in named])
        known = labels != UNLABELLED
        if not known.any():
            continue
        guesses = getattr(predicted, name)[known].argmax(axis=1)
        figures[name] = {
            "classes": len(classes),
            "accuracy": round(float((guesses == labels[known]).mean()), 3),
            "most_common_share": round(float(np.bincount(labels[known]).max() / known.sum()), 3),
            "listings": int(known.sum()),
        }
    return figures


def attribute_labels(
    read: list[Attributes],
) -> tuple[dict[str, list[str]] | None, np.ndarray]:
    """The classes of each attribute that enough products name, and (n, 3) each product's
    class per attribute (UNLABELLED where it names none of them); None for the classes when
    neither kinds nor colours have two to tell apart."""
    named = [_named(found) for found in read]
    classes = {name: _classes(values[name] for values in named) for name in ATTRIBUTES}
    if len(classes["noun"]) < 2 and len(classes["colour"]) < 2:
        return None, np.zeros((len(read), len(ATTRIBUTES)), dtype=np.int64)
    for name in ATTRIBUTES:
        if len(classes[name]) < 2:
            # Nothing to tell apart: one class that suits everything (for audiences, as a
            # unisex product does), never learned from.
            classes[name] = [UNISEX] if name == "gender" else classes[name][:1] or [""]
    labels = np.array(
        [[_label(classes[name], values[name]) for name in ATTRIBUTES] for values in named],
        dtype=np.int64,
    ).reshape(len(read), len(ATTRIBUTES))
    return classes, labels


def _named(found: Attributes) -> dict[str, str]:
    """The kind, the colour when exactly one is named, and the audience."""
    return {
        "noun": found.head,
        "colour": next(iter(found.colours)) if len(found.colours) == 1 else "",
        "gender": found.gender,
    }


def _label(classes: list[str], value: str) -> int:
    return classes.index(value) if value in classes else UNLABELLED


def _classes(values) -> list[str]:
    counts = Counter(value for value in values if value)
    return sorted(value for value, count in counts.items() if count >= MIN_PRODUCTS_PER_CLASS)
