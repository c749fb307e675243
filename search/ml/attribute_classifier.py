"""What a product is, in the catalogue's own words: its head noun, colour and gender.

A product with text says so in its title ("Fabindia Men Printed Red Kurta"). A photo says it
too, to a classifier trained on the catalogue's products (search/ml/training/classifier.py). A
photo query and each candidate are compared attribute by attribute: how likely is it that the
candidate is the same kind of thing, in the same colour, for the same shopper. These
agreements are features of the match head; they are what a shopper means by "like this".
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from search.ml.attributes import Attributes
from search.ml.product_terms import ProductTerms
from search.ml.words import UNISEX

ATTRIBUTES = ("noun", "colour", "gender")


@dataclass
class AttributeProfiles:
    """n products' (or queries') attributes: a distribution or a multi-hot row per attribute,
    over the classifier's classes."""

    noun: np.ndarray  # (n, nouns)
    colour: np.ndarray  # (n, colours)
    gender: np.ndarray  # (n, genders)

    def rows(self, index: np.ndarray) -> "AttributeProfiles":
        return AttributeProfiles(self.noun[index], self.colour[index], self.gender[index])


class AttributeClassifier(nn.Module):
    """Photo-map inputs (image features and colours) -> logits over the catalogue's head nouns,
    colours and genders, as its titles name them."""

    def __init__(self, input_dim: int, classes: dict[str, list[str]], hidden: int = 512):
        super().__init__()
        self.args = (input_dim, classes, hidden)  # what a saved copy is rebuilt from
        self.classes = classes
        self._column = {
            name: {value: column for column, value in enumerate(values)}
            for name, values in classes.items()
        }
        self.trunk = nn.Sequential(
            nn.LayerNorm(input_dim), nn.Linear(input_dim, hidden), nn.GELU(), nn.Dropout(0.3)
        )
        self.outputs = nn.ModuleDict(
            {name: nn.Linear(hidden, len(classes[name])) for name in ATTRIBUTES}
        )

    def forward(self, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        shared = self.trunk(inputs)
        return {name: output(shared) for name, output in self.outputs.items()}

    def predict(self, inputs: np.ndarray) -> AttributeProfiles:
        with torch.inference_mode():
            logits = self(torch.from_numpy(np.asarray(inputs, dtype=np.float32)))
        return AttributeProfiles(*(logits[name].softmax(-1).numpy() for name in ATTRIBUTES))

    def predict_rows(self, inputs: np.ndarray, rows: np.ndarray) -> AttributeProfiles:
        """`predict` for the inputs that `rows` (a boolean mask) selects; zero rows elsewhere."""
        profiles = AttributeProfiles(
            *(np.zeros((len(inputs), len(self.classes[name])), np.float32) for name in ATTRIBUTES)
        )
        if rows.any():
            predicted = self.predict(inputs[rows])
            for name in ATTRIBUTES:
                getattr(profiles, name)[rows] = getattr(predicted, name)
        return profiles

    def profiles(
        self,
        titles: list[str],
        categories: list[str],
        predicted: AttributeProfiles,
        described: np.ndarray,
    ) -> AttributeProfiles:
        """Each product's attributes: from its words where `described`, else what `predict`
        read from its photo (`predicted`, left as it is)."""
        profiles = AttributeProfiles(*(getattr(predicted, name).copy() for name in ATTRIBUTES))
        rows = np.flatnonzero(described)
        for name in ATTRIBUTES:
            getattr(profiles, name)[rows] = 0.0
        for row in rows:
            terms = ProductTerms.of(titles[row], categories[row])
            # A product that names no gender suits any shopper, as a unisex one does.
            named = {
                "noun": terms.terms,
                "colour": terms.terms,
                "gender": terms.genders or {UNISEX},
            }
            for name in ATTRIBUTES:
                # A title has a dozen terms and the classes are hundreds: look up the terms.
                columns = [
                    self._column[name][term] for term in named[name] if term in self._column[name]
                ]
                getattr(profiles, name)[row, columns] = 1.0
        return profiles


def agreement(
    classes: dict[str, list[str]], query: AttributeProfiles, products: AttributeProfiles
) -> np.ndarray:
    """(n, 3): for one query profile against n products, the chance that each is the same
    kind of thing, in the same colour, for the same shopper (unisex on either side suits)."""
    noun = products.noun @ query.noun[0]
    colour = products.colour @ query.colour[0]
    gender = products.gender @ query.gender[0]
    if UNISEX in classes["gender"]:
        unisex = classes["gender"].index(UNISEX)
        gender = gender + query.gender[0, unisex] + products.gender[:, unisex]
    return np.clip(np.stack([noun, colour, gender], axis=-1), 0, 1).astype(np.float32)


def predicted_title_match(
    classes: dict[str, list[str]], predicted: AttributeProfiles, query: Attributes
) -> np.ndarray:
    """(n, TITLE_MATCHES): vocabulary.title_match for products without words, from their
    photos: the chance that a title would name the query's noun, and its colours; no words of
    theirs can name the query's other words; and the audience's value expected from the chance
    that the photo shows a product that suits the query's audience (1 for sure, -1 for none)."""
    nothing = np.zeros(len(predicted.noun), dtype=np.float32)
    # A query may name its kind by several of the catalogue's words (Attributes.kinds).
    named = [classes["noun"].index(kind) for kind in query.kind_words if kind in classes["noun"]]
    noun = np.clip(predicted.noun[:, named].sum(axis=1), 0, 1) if named else nothing
    colour = colour_chance(classes, predicted, query)
    audience = _audience_chance(classes, predicted, query)
    return np.stack(
        [
            noun,
            nothing if colour is None else colour,
            nothing,
            nothing if audience is None else 2 * audience - 1,
        ],
        axis=-1,
    ).astype(np.float32)


def stated_chance(
    classes: dict[str, list[str]], predicted: AttributeProfiles, query: Attributes
) -> np.ndarray | None:
    """(n,): the chance that each product's photo shows what the query states of its colours
    and its audience (a unisex product suits any), as the classifier reads them, each taken
    as independent of the other; None where the query states neither in the classifier's
    classes."""
    chances = [
        colour_chance(classes, predicted, query),
        _audience_chance(classes, predicted, query),
    ]
    stated = [chance for chance in chances if chance is not None]
    return np.prod(stated, axis=0) if stated else None


def _audience_chance(
    classes: dict[str, list[str]], predicted: AttributeProfiles, query: Attributes
) -> np.ndarray | None:
    """(n,): the chance that each photo shows a product for the query's audience or for
    anyone; None where the query asks for no audience of the classifier's."""
    if query.gender not in classes["gender"] or query.gender == UNISEX:
        return None
    chance = predicted.gender[:, classes["gender"].index(query.gender)]
    if UNISEX in classes["gender"]:
        chance = chance + predicted.gender[:, classes["gender"].index(UNISEX)]
    return chance


def colour_chance(
    classes: dict[str, list[str]], predicted: AttributeProfiles, query: Attributes
) -> np.ndarray | None:
    """(n,): the chance that each photo shows the query's colours (their mean); None where it
    names none of the classifier's."""
    colours = [
        classes["colour"].index(colour) for colour in query.colours if colour in classes["colour"]
    ]
    return predicted.colour[:, colours].mean(axis=1) if colours else None
