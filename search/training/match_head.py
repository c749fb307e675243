"""Training the fusion match head on ranked lists built from the catalogue.

Each list is one pseudo-query (a shopper-like text from a listing's title, or a listing's photo)
with the candidates retrieval would give it (hard negatives included) and each candidate's
relevance, read from its own title. Some listings play "sparse": their text is hidden from the
head, so that it learns to rank a listing by its photo alone.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from search import retrieval
from search.ranking import CandidateBatch, MatchHead, QueryBatch, pair_features, rrf_scores
from search.training.catalogue import CatalogueSnapshot
from search.training.pseudo_queries import TextQuery, pseudo_query
from search.vocabulary import Attributes, ProductTerms, attributes, relevance, title_match

# As many per source as search takes (search.retrieval), so that the head learns on lists
# like those it will rank.
CANDIDATES_PER_SOURCE = retrieval.CANDIDATES_PER_SOURCE
LIST_LENGTH = 160
EPOCHS = 12
BATCH_SIZE = 64
LEARNING_RATE = 2e-3
# Queries that lose their lexical signals (keyword rank, title noun) in training, as a
# shopper's words that the synonym table (search.shopper_words) does not know lose them. Kept
# always, the title noun would gain 0.02 nDCG on plain queries but cost 0.15 on paraphrases
# the table does not cover (dev kit).
LEXICAL_DROPOUT = 0.3


@dataclass
class RankedLists:
    """L lists of up to LIST_LENGTH candidates (index -1 pads)."""

    query_text: np.ndarray  # (L, d), zero for photo queries
    query_photo: np.ndarray  # (L, d), zero for text queries
    candidates: np.ndarray  # (L, LIST_LENGTH) snapshot rows
    gains: np.ndarray  # (L, LIST_LENGTH) 0, 1 or 2
    keyword_rank: np.ndarray  # (L, LIST_LENGTH)
    title_match: np.ndarray  # (L, LIST_LENGTH, 2) vocabulary.title_match
    attribute_agreement: np.ndarray  # (L, LIST_LENGTH, 3) for photo queries, else 0
    image_similarity: np.ndarray  # (L, LIST_LENGTH)
    colour_similarity: np.ndarray  # (L, LIST_LENGTH)
    text_hidden: np.ndarray  # (L, LIST_LENGTH) bool: the candidate plays sparse

    def __len__(self) -> int:
        return len(self.candidates)

    def subset(self, rows: np.ndarray) -> "RankedLists":
        return RankedLists(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))

    @classmethod
    def concatenate(cls, *parts: "RankedLists") -> "RankedLists":
        return cls(
            *(
                np.concatenate([getattr(part, name) for part in parts])
                for name in cls.__dataclass_fields__
            )
        )


def text_query_lists(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    queries: list[TextQuery],
    encode_texts: Callable[[list[str]], np.ndarray],
    keyword_ranks: Callable[[list[str], np.ndarray], np.ndarray],
    plays_sparse: np.ndarray,
    predicted_match: Callable[[Attributes, np.ndarray], np.ndarray] | None = None,
) -> RankedLists:
    """A ranked list for each text query; a product a shopper chose counts as fully relevant.
    `predicted_match(query attributes, rows)` stands in for title_match where a candidate plays
    sparse (search.attributes.predicted_title_match)."""
    vectors = encode_texts([query.text for query in queries])
    terms = _product_terms(snapshot)
    lists = []
    for query, vector in zip(queries, vectors, strict=True):
        photo_scores = photo_vectors @ vector
        candidates = _nearest(
            snapshot,
            [snapshot.text @ vector, photo_scores, np.where(plays_sparse, photo_scores, -np.inf)],
            exclude=-1,
            include=query.clicked,
        )
        lists.append((vector, np.zeros_like(vector), candidates, attributes(query.text)))
    ranked = _assemble(lists, snapshot, terms, plays_sparse, image_query=None)
    for row, query in enumerate(queries):
        if query.clicked is not None:
            ranked.gains[row][ranked.candidates[row] == query.clicked] = 2
    ranked.keyword_rank = keyword_ranks([query.text for query in queries], ranked.candidates)
    ranked.keyword_rank[ranked.text_hidden] = 0
    for row, query in enumerate(queries):
        wanted = attributes(query.text)
        for slot, i in enumerate(ranked.candidates[row]):
            if i >= 0 and not ranked.text_hidden[row, slot]:
                ranked.title_match[row, slot] = title_match(
                    wanted, snapshot.titles[i], snapshot.categories[i]
                )
        hidden = ranked.text_hidden[row]
        if predicted_match is not None and hidden.any():
            ranked.title_match[row, hidden] = predicted_match(
                wanted, ranked.candidates[row, hidden]
            )
    return ranked


def pseudo_text_queries(
    snapshot: CatalogueSnapshot, sources: list[int], rng: random.Random
) -> list[TextQuery]:
    """A shopper-like query from the title of each listing in `sources`."""
    texts = (pseudo_query(snapshot.titles[i], rng) for i in sources)
    return [TextQuery(text) for text in texts if text]


def photo_query_lists(
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    sources: list[int],
    plays_sparse: np.ndarray,
    attribute_agreement: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> RankedLists:
    """Each listing in `sources` asks, by its photo, for the others like it;
    `attribute_agreement(query row, candidate rows)` gives search.attributes.agreement."""
    terms = _product_terms(snapshot)
    lists = []
    for i in sources:
        query_photo = photo_vectors[i]
        photo_scores = photo_vectors @ query_photo
        candidates = _nearest(
            snapshot,
            [
                snapshot.text @ query_photo,
                photo_scores,
                np.where(plays_sparse, photo_scores, -np.inf),
            ],
            exclude=i,
        )
        wanted = attributes(snapshot.titles[i])
        lists.append((np.zeros_like(query_photo), query_photo, candidates, wanted))
    ranked = _assemble(lists, snapshot, terms, plays_sparse, image_query=np.array(sources))
    if attribute_agreement is not None:
        for row, (i, (_, _, candidates, _)) in enumerate(zip(sources, lists, strict=True)):
            ranked.attribute_agreement[row, : len(candidates)] = attribute_agreement(i, candidates)
    return ranked


def train_head(
    lists: RankedLists,
    snapshot: CatalogueSnapshot,
    photo_vectors: np.ndarray,
    seed: int = 0,
) -> MatchHead:
    torch.manual_seed(seed)
    generator = np.random.default_rng(seed)
    head = MatchHead(snapshot.text.shape[1])
    optimiser = torch.optim.AdamW(head.parameters(), lr=LEARNING_RATE, weight_decay=1e-3)
    steps = EPOCHS * max(1, -(-len(lists) // BATCH_SIZE))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, LEARNING_RATE, total_steps=steps)
    head.train()
    for _ in range(EPOCHS):
        for rows in np.array_split(generator.permutation(len(lists)), steps // EPOCHS):
            batch = lists.subset(rows)
            kept = (generator.random(len(rows)) >= LEXICAL_DROPOUT)[:, None]
            batch.keyword_rank = batch.keyword_rank * kept
            batch.title_match[..., 0] *= kept  # colour words are the same for every shopper
            scores = head(pair_features(*_tensors(batch, snapshot, photo_vectors)))
            loss = _listwise_loss(scores, torch.from_numpy(batch.gains), batch.candidates >= 0)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    return head.eval()


def evaluate_head(
    head: MatchHead, lists: RankedLists, snapshot: CatalogueSnapshot, photo_vectors: np.ndarray
) -> dict[str, float]:
    """nDCG@10 within the candidate lists: the head's order against untrained fusion (RRF)."""
    queries, candidates = _tensors(lists, snapshot, photo_vectors)
    with torch.inference_mode():
        scores = head(pair_features(queries, candidates)).numpy()
    valid = lists.candidates >= 0
    untrained = rrf_scores(
        np.stack(
            [
                _similarity_or_zero(queries.text, candidates.text),
                _similarity_or_zero(queries.text, candidates.photo),
                _similarity_or_zero(queries.photo, candidates.text),
                _similarity_or_zero(queries.photo, candidates.photo),
                candidates.image_similarity.numpy(),
                candidates.colour_similarity.numpy(),
                candidates.keyword_rank.numpy(),
            ],
            axis=-1,
        ),
        valid,
    )
    return {
        "head_ndcg_at_10": _mean_ndcg(scores, lists.gains, valid),
        "untrained_ndcg_at_10": _mean_ndcg(untrained, lists.gains, valid),
        "lists": len(lists),
    }


def _nearest(
    snapshot: CatalogueSnapshot,
    scores: list[np.ndarray],
    exclude: int,
    include: int | None = None,
) -> np.ndarray:
    """The union of each score's top candidates among listings with text (only those have
    labels), best first, cut to LIST_LENGTH; `include` first when given."""
    chosen: dict[int, None] = {} if include is None else {include: None}
    for score in scores:
        score = np.where(snapshot.has_text, score, -np.inf)
        if exclude >= 0:
            score[exclude] = -np.inf
        wanted = min(CANDIDATES_PER_SOURCE, len(score) - 1)
        top = np.argpartition(-score, wanted)[:wanted]
        top = top[np.isfinite(score[top])]
        chosen.update(dict.fromkeys(top[np.argsort(-score[top])].tolist()))
    return np.array(list(chosen)[:LIST_LENGTH])


def _product_terms(snapshot: CatalogueSnapshot) -> list[ProductTerms]:
    return [
        ProductTerms.of(title, category)
        for title, category in zip(snapshot.titles, snapshot.categories, strict=True)
    ]


def _assemble(lists, snapshot, terms, plays_sparse, image_query) -> RankedLists:
    count = len(lists)
    candidates = np.full((count, LIST_LENGTH), -1, dtype=np.int64)
    gains = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    image_similarity = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    colour_similarity = np.zeros((count, LIST_LENGTH), dtype=np.float32)
    images = snapshot.image_normalised if image_query is not None else None
    for row, (_, _, found, wanted) in enumerate(lists):
        candidates[row, : len(found)] = found
        gains[row, : len(found)] = [relevance(wanted, terms[i]) for i in found]
        if images is not None:
            query = image_query[row]
            image_similarity[row, : len(found)] = images[found] @ images[query]
            colour_similarity[row, : len(found)] = snapshot.colour[found] @ snapshot.colour[query]
    return RankedLists(
        query_text=np.stack([entry[0] for entry in lists]).astype(np.float32),
        query_photo=np.stack([entry[1] for entry in lists]).astype(np.float32),
        candidates=candidates,
        gains=gains,
        keyword_rank=np.zeros((count, LIST_LENGTH), dtype=np.float32),
        title_match=np.zeros((count, LIST_LENGTH, 2), dtype=np.float32),
        attribute_agreement=np.zeros((count, LIST_LENGTH, 3), dtype=np.float32),
        image_similarity=image_similarity,
        colour_similarity=colour_similarity,
        text_hidden=(candidates >= 0) & plays_sparse[np.maximum(candidates, 0)],
    )


def _tensors(lists: RankedLists, snapshot: CatalogueSnapshot, photo_vectors: np.ndarray):
    valid = lists.candidates >= 0
    rows = np.maximum(lists.candidates, 0)
    shown_text = (valid & ~lists.text_hidden)[..., None]
    queries = QueryBatch(
        text=torch.from_numpy(lists.query_text), photo=torch.from_numpy(lists.query_photo)
    )
    candidates = CandidateBatch(
        text=torch.from_numpy(snapshot.text[rows] * shown_text),
        photo=torch.from_numpy(photo_vectors[rows] * valid[..., None]),
        image_similarity=torch.from_numpy(lists.image_similarity),
        colour_similarity=torch.from_numpy(lists.colour_similarity),
        keyword_rank=torch.from_numpy(lists.keyword_rank.astype(np.float32)),
        title_match=torch.from_numpy(lists.title_match),
        attribute_agreement=torch.from_numpy(lists.attribute_agreement),
    )
    return queries, candidates


def _listwise_loss(scores: torch.Tensor, gains: torch.Tensor, valid: np.ndarray) -> torch.Tensor:
    """ListNet: the cross-entropy of the head's softmax against the gains' distribution."""
    valid = torch.from_numpy(valid)
    weights = (2**gains - 1) * valid
    useful = weights.sum(dim=1) > 0
    target = weights[useful] / weights[useful].sum(dim=1, keepdim=True)
    log_probabilities = scores[useful].masked_fill(~valid[useful], -1e9).log_softmax(dim=1)
    return -(target * log_probabilities).sum(dim=1).mean()


def _similarity_or_zero(query: torch.Tensor, products: torch.Tensor) -> np.ndarray:
    return torch.einsum("bd,bcd->bc", query, products).numpy()


def _mean_ndcg(scores: np.ndarray, gains: np.ndarray, valid: np.ndarray, k: int = 10) -> float:
    discounts = 1 / np.log2(np.arange(2, k + 2))
    values = []
    for score, gain, mask in zip(scores, gains, valid, strict=True):
        gain = gain[mask]
        ideal = (np.sort(2**gain - 1)[::-1][:k] * discounts[: min(k, len(gain))]).sum()
        if ideal == 0:
            continue
        order = np.argsort(-score[mask], kind="stable")[:k]
        values.append(((2 ** gain[order] - 1) * discounts[: len(order)]).sum() / ideal)
    return float(np.mean(values)) if values else 0.0
