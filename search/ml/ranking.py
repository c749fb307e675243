"""The learned parts of search: the photo-to-text map and the fusion match head.

Both are small torch modules trained on the catalogue itself (search/ml/training/). The features
the head reads are built here, by one function, for training and for serving alike.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

# The similarities the head reads, each also relative to the best candidate's.
SIMILARITIES = (
    "text_query_vs_text",
    "text_query_vs_photo",
    "photo_query_vs_text",
    "photo_query_vs_photo",
    "photo_query_vs_image",
    "photo_query_vs_colour",
)
# Scalar features, in this order, before the element-wise products.
SCALAR_FEATURES = (
    *SIMILARITIES,
    *(f"{name}_below_best" for name in SIMILARITIES),
    "keyword_rank",
    "names_query_noun",
    "names_query_colours",
    "names_query_other_words",
    "names_query_audience",
    # For a photo query (search.ml.attribute_classifier): the same kind of thing, colour, shopper.
    "photo_query_noun_agrees",
    "photo_query_colour_agrees",
    "photo_query_gender_agrees",
    "has_text_query",
    "has_photo_query",
    "has_product_text",
    "has_product_photo",
)
# How much the colours weigh, against the image features, in the photo map's input.
COLOUR_INPUT_SCALE = 4.0


def photo_map_input(image_vectors: np.ndarray, colour_vectors: np.ndarray) -> np.ndarray:
    """What the photo map reads: the image features and the colours side by side."""
    return np.concatenate(
        [image_vectors, COLOUR_INPUT_SCALE * colour_vectors], axis=-1, dtype=np.float32
    )


class PhotoToTextMap(nn.Module):
    """Image-encoder features into the text space: how a text query finds a product by its
    photo, and a photo query finds products by their text."""

    def __init__(self, image_dim: int, text_dim: int, hidden: int = 768):
        super().__init__()
        self.args = (image_dim, text_dim, hidden)  # what a saved copy is rebuilt from
        self.layers = nn.Sequential(
            nn.LayerNorm(image_dim),
            nn.Linear(image_dim, hidden),
            nn.GELU(),
            nn.Dropout(0.2),
            nn.Linear(hidden, text_dim),
        )

    def forward(self, image_features: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.layers(image_features), dim=-1)


class MatchHead(nn.Module):
    """Scores (query, product) pairs from `pair_features`: higher is a better match."""

    def __init__(self, text_dim: int, hidden: int = 128):
        super().__init__()
        self.args = (text_dim, hidden)
        self.layers = nn.Sequential(
            nn.Linear(feature_width(text_dim), hidden),
            nn.GELU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, 1),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features).squeeze(-1)


def feature_width(text_dim: int) -> int:
    return len(SCALAR_FEATURES) + 2 * text_dim


@dataclass
class QueryBatch:
    """B queries' vectors in the text space; a zero row where a query lacks that part."""

    text: torch.Tensor  # (B, d): the typed words
    photo: torch.Tensor  # (B, d): the photo, mapped into the text space

    @property
    def combined(self) -> torch.Tensor:
        """Words and photo together: what the element-wise features compare products with."""
        return nn.functional.normalize(self.text + self.photo, dim=-1)


@dataclass
class CandidateBatch:
    """C candidate products for each of B queries; zero vectors where a product lacks one."""

    text: torch.Tensor  # (B, C, d)
    photo: torch.Tensor  # (B, C, d): the product's photo mapped into the text space
    # (B, C): cosine of the query photo and the product photo in the image encoder's own space
    # (0 for text queries).
    image_similarity: torch.Tensor
    colour_similarity: torch.Tensor  # (B, C): the same for their colours
    keyword_rank: torch.Tensor  # (B, C): the query's full-text rank, 0 where it does not match
    # (B, C, TITLE_MATCHES): what the product's words say of the text query's noun, colours,
    # other words and audience (vocabulary.title_match)
    title_match: torch.Tensor
    # (B, C, 3): attribute_classifier.agreement of a photo query and each product; 0 without one
    attribute_agreement: torch.Tensor


def pair_features(queries: QueryBatch, candidates: CandidateBatch) -> torch.Tensor:
    """(B, C, feature_width) features of each query against each of its candidates."""

    def similarity(query: torch.Tensor, products: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bd,bcd->bc", query, products)

    def present_vector(vectors: torch.Tensor) -> torch.Tensor:
        # A missing vector is stored as zeros.
        return vectors.ne(0).any(dim=-1).float()

    shape = candidates.keyword_rank.shape
    similarities = torch.stack(
        [
            similarity(queries.text, candidates.text),
            similarity(queries.text, candidates.photo),
            similarity(queries.photo, candidates.text),
            similarity(queries.photo, candidates.photo),
            candidates.image_similarity,
            candidates.colour_similarity,
        ],
        dim=-1,
    )
    # A zero similarity is a missing vector: it neither sets the best nor is compared with it.
    present = similarities != 0
    best = similarities.masked_fill(~present, -2).amax(dim=1, keepdim=True)
    below_best = torch.where(present, similarities - best, torch.zeros_like(similarities))
    scalars = torch.cat(
        [
            similarities,
            below_best,
            torch.stack(
                [
                    torch.log1p(10 * candidates.keyword_rank),
                    *candidates.title_match.unbind(dim=-1),
                    *candidates.attribute_agreement.unbind(dim=-1),
                    present_vector(queries.text).unsqueeze(1).expand(shape),
                    present_vector(queries.photo).unsqueeze(1).expand(shape),
                    present_vector(candidates.text),
                    present_vector(candidates.photo),
                ],
                dim=-1,
            ),
        ],
        dim=-1,
    )
    combined = queries.combined.unsqueeze(1)
    return torch.cat([scalars, candidates.text * combined, candidates.photo * combined], dim=-1)


# Reciprocal rank fusion's damping constant (Cormack et al. 2009).
RRF_K = 60


def reciprocal_rank_fusion(ranks: np.ndarray) -> np.ndarray:
    """(..., S) 0-based ranks of an item in S lists (-1 where absent) -> (...) fused scores."""
    return np.where(ranks >= 0, 1.0 / (RRF_K + 1 + ranks), 0.0).sum(axis=-1)


def rrf_scores(signals: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """(B, C, S) signal values of C candidates -> (B, C) fused scores, each signal ranking the
    candidates where it is non-zero (zero: the signal is absent for that pair)."""
    present = (signals != 0) & valid[..., None]
    masked = np.where(present, signals, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(signals.shape[1])[None, :, None], axis=1)
    return reciprocal_rank_fusion(np.where(present, ranks, -1))
