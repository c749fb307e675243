"""Search quality on an evaluation kit (../shared/eval/README.md): graded relevance from a truth
file, nDCG@10, P@10 and sparse-product recall@100, per query kind and overall."""

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

K = 10
RECALL_DEPTH = 100


@dataclass(frozen=True)
class Truth:
    article_type: str
    colour: str
    gender: str
    sparse: bool


@dataclass(frozen=True)
class EvaluationQuery:
    kind: str  # plain, paraphrase, paraphrase-type..., or "photo"
    text: str  # "" for a photo query
    photo: Path | None
    article_type: str
    colour: str
    gender: str

    def gain(self, product: Truth) -> int:
        """2: the right article type with every stated attribute; 1: the type only; else 0."""
        if product.article_type != self.article_type:
            return 0
        colour_ok = not self.colour or product.colour == self.colour
        gender_ok = (
            not self.gender or self.gender == "Unisex" or product.gender in (self.gender, "Unisex")
        )
        return 2 if colour_ok and gender_ok else 1


def read_truth(path: Path) -> dict[str, Truth]:
    with path.open(newline="") as source:
        return {
            row["sku"]: Truth(
                row["article_type"], row["colour"], row["gender"], row["sparse"] == "1"
            )
            for row in csv.DictReader(source)
        }


def read_text_queries(path: Path) -> list[EvaluationQuery]:
    with path.open(newline="") as source:
        return [
            EvaluationQuery(
                row["kind"], row["query"], None, row["article_type"], row["colour"], row["gender"]
            )
            for row in csv.DictReader(source)
        ]


def read_photo_queries(path: Path, images: Path) -> list[EvaluationQuery]:
    with path.open(newline="") as source:
        return [
            EvaluationQuery(
                "photo",
                "",
                images / row["image"],
                row["article_type"],
                row["colour"],
                row["gender"],
            )
            for row in csv.DictReader(source)
        ]


def query_metrics(
    query: EvaluationQuery, ranked_skus: list[str], truth: dict[str, Truth]
) -> dict[str, float | None]:
    """nDCG@10 (ideal over the whole catalogue), P@10 and sparse recall@100 (None when no
    sparse product is fully relevant) of one ranking."""
    gains = [query.gain(truth[sku]) if sku in truth else 0 for sku in ranked_skus]
    ideal = sorted((query.gain(product) for product in truth.values()), reverse=True)[:K]
    ideal_dcg = _dcg(ideal)
    sparse_relevant = {
        sku for sku, product in truth.items() if product.sparse and query.gain(product) == 2
    }
    return {
        "ndcg@10": _dcg(gains[:K]) / ideal_dcg if ideal_dcg else 0.0,
        "p@10": sum(gain >= 1 for gain in gains[:K]) / K,
        "sparse_recall@100": (
            len(sparse_relevant & set(ranked_skus[:RECALL_DEPTH])) / len(sparse_relevant)
            if sparse_relevant
            else None
        ),
    }


def evaluate(
    queries: Iterable[EvaluationQuery],
    run: Callable[[EvaluationQuery], list[str]],
    truth: dict[str, Truth],
) -> dict[str, dict[str, float]]:
    """Mean metrics per kind, "text" (all text queries) and "photo"; `run` ranks the skus."""
    per_group: dict[str, list[dict]] = defaultdict(list)
    for query in queries:
        metrics = query_metrics(query, run(query), truth)
        per_group[query.kind].append(metrics)
        if query.kind != "photo":
            per_group["text"].append(metrics)
    return {group: _means(rows) for group, rows in per_group.items()}


def _means(rows: list[dict]) -> dict[str, float]:
    summary: dict[str, float] = {"queries": len(rows)}
    for name in rows[0]:
        values = [row[name] for row in rows if row[name] is not None]
        summary[name] = round(sum(values) / len(values), 4) if values else float("nan")
    return summary


def _dcg(gains: list[int]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))
