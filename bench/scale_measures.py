"""What bench/scale.py measures on a catalogue written: retrieval in the database with and
without filters (latency, recall@10 against exact search, full candidate lists), the keyword
source alone and the search API end to end. Imported after django.setup()."""

import csv
import statistics
import time

import numpy as np
from common import SHARED
from django.test import Client
from scale_catalogue import Catalogue, normalised

from catalog.models import Category
from search.filters import Filters
from search.ml.encoders import active_dims
from search.query_words import understand
from search.retrieval import Candidates, SourceQuery, retrieve
from search.warmup import warm_up

KIT = SHARED / "eval"
QUERIES = 100  # of each kind
FILTER_SHARES = (0.5, 0.05, 0.001)
PER_SOURCE = 50  # candidates each source is asked for, as a search's first page asks
# Recall@10 counts a listing found among the first ten when it is at least as near as the exact
# search's tenth (ANN-benchmarks' measure), less this for float rounding: the catalogue holds
# listings with the same words, whose vectors tie, and any of a tie is a right answer.
TIE = 1e-5
PAGE = 24


def read_text_queries() -> list[str]:
    queries = []
    for name in ("text_queries_dev.csv", "text_queries_heldout.csv"):
        if (KIT / name).exists():
            with (KIT / name).open(newline="") as source:
                queries += [row["query"] for row in csv.DictReader(source)]
    return list(dict.fromkeys(queries))[:QUERIES]


def filters_of(catalogue: Catalogue, categories: dict) -> dict[str, tuple[Filters, np.ndarray]]:
    """No filter, and for each target share the category whose subtree's share is nearest."""
    n = len(catalogue.category_of)
    leaf_counts = np.bincount(catalogue.category_of, minlength=max(categories.values()) + 1)
    subtree = {}
    for path, pk in categories.items():
        leaves = [categories[p] for p in categories if len(p) == 3 and p[: len(path)] == path]
        subtree[pk] = (
            path,
            leaves,
            sum(leaf_counts[leaf] for leaf in leaves if leaf < len(leaf_counts)),
        )
    chosen = {"none": (Filters(), np.ones(n, dtype=bool), 1.0, "")}
    for share in FILTER_SHARES:
        pk, (path, leaves, count) = min(
            subtree.items(), key=lambda item: abs(np.log(max(item[1][2], 1) / (share * n)))
        )
        mask = np.isin(catalogue.category_of, leaves)
        chosen[f"{share:.1%}"] = (
            Filters(category=Category.objects.get(pk=pk)),
            mask,
            round(count / n, 5),
            " > ".join(path),
        )
    return chosen


def measure_retrieval(kind, queries, catalogue, filters, sources) -> dict:
    vectors = catalogue.text if kind == "text" else catalogue.photo_text
    dims = (active_dims().text, active_dims().image)
    results = {}
    for name, (chosen, mask, share, category) in filters.items():
        thresholds = _kth_nearest(queries, vectors, mask, 10)

        def timed(query: np.ndarray, chosen=chosen) -> tuple[Candidates, float]:
            started = time.perf_counter()
            found = retrieve(
                _source_query(kind, query), chosen, sources.encoder_version, dims, PER_SOURCE
            )
            return found, (time.perf_counter() - started) * 1000

        for query in queries[:10]:  # the first queries of a filter read its pages from disk
            timed(query)
        times, recalls, full = [], [], []
        for query, threshold in zip(queries, thresholds, strict=True):
            candidates, took = timed(query)
            times.append(took)
            ranks = candidates.source_ranks["text" if kind == "text" else "photo"]
            found = candidates.product_ids[ranks >= 0][np.argsort(ranks[ranks >= 0])]
            similarity = vectors[found[:10] - 1] @ normalised(query[None].astype(np.float32))[0]
            wanted = min(10, int(mask.sum()))
            recalls.append(float(np.sum(similarity >= threshold - TIE)) / wanted)
            full.append(len(found) >= min(PER_SOURCE, int(mask.sum())))
        # The same queries again, every page they need now read: the steady state of a server
        # whose searches repeat, where the first pass also times reading pages from disk.
        warm = [timed(query)[1] for query in queries]
        results[name] = {
            "category": category,
            "share": share,
            **_percentiles(times),
            "warm": _percentiles(warm),
            "recall_at_10": round(float(np.mean(recalls)), 4),
            "full_lists": round(float(np.mean(full)), 4),
        }
    return results


def _source_query(kind: str, vector: np.ndarray) -> SourceQuery:
    if kind == "text":
        return SourceQuery(text_vector=vector)
    return SourceQuery(photo_text_vector=vector)


def measure_keywords(filters, sources) -> dict:
    """The keyword source alone: the text queries' words as typed, all required."""
    dims = (active_dims().text, active_dims().image)
    queries = [understand(text, None, exact=True).tsquery for text in read_text_queries()]
    results = {}
    for name, (chosen, _, share, category) in filters.items():
        times, found = [], []
        for number, query in enumerate([*queries[:10], *queries]):  # 10 to warm up
            started = time.perf_counter()
            candidates = retrieve(
                SourceQuery(keywords=query), chosen, sources.encoder_version, dims, PER_SOURCE
            )
            if number >= 10:
                times.append((time.perf_counter() - started) * 1000)
                found.append(len(candidates))
        results[name] = {
            "category": category,
            "share": share,
            **_percentiles(times),
            "mean_found": round(float(np.mean(found)), 1),
        }
    return results


def _kth_nearest(queries: np.ndarray, vectors: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Each query's cosine similarity to its k-th nearest allowed listing, by exact search."""
    allowed = np.flatnonzero(mask)
    scores = normalised(queries.astype(np.float32)) @ vectors[allowed].T
    k = min(k, len(allowed))
    return -np.partition(-scores, k - 1, axis=1)[:, k - 1]


def measure_api() -> dict:
    client = Client(HTTP_HOST="localhost")
    queries = read_text_queries()

    def request(query: str) -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/search/", {"q": query, "limit": PAGE}, secure=True)
        assert response.status_code == 200, response.content
        return (time.perf_counter() - started) * 1000

    # The first search loads the models and learns the catalogue's words; then the process
    # warms up as a web worker does before it takes traffic (vitrine.gunicorn), and the next
    # searches read the pages the queries need.
    first = request(queries[0])
    warm_up()
    for query in queries[1:10]:
        request(query)
    return {**_percentiles([request(query) for query in queries]), "first_ms": round(first)}


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=20)
    return {"p50": round(statistics.median(samples), 1), "p95": round(cuts[18], 1)}
