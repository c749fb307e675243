"""Search at a million listings: a catalogue of N listings grown from the real dataset's
vectors, written with COPY, indexed, and searched with and without filters.

    .venv/bin/python bench/scale.py --n 100000 1000000

For each N it prints one JSON line (and records them all in bench/results/scale.json):
listings written per second, the HNSW and keyword index builds (seconds, size), the
database's memory, vector retrieval p50/p95 in the database for text and photo queries
(search.retrieval.retrieve with the query vector given) without a filter and with filters
matching about 50%, 5% and 0.1% of the listings, each with its recall@10 against an exact
search and the share of full candidate lists, and the search API's end-to-end p50/p95.

The listings. Every listing of ../shared/datasets/fashion-product-images-small is embedded
once by the real encoder (title and category path; photo, its colours and the photo in the
text space by the encoder's zero-shot map), cached under the data dir. One listing in 100 is
held out: its photo is a photo query, never in the catalogue. A catalogue of N up to the
dataset's size is a random sample of the rest; past it, the rest plus copies of random
listings, each with a new SKU, price, stock, merchant and date, and its vectors moved by noise.
The noise follows the vectors' own spread (a Gaussian with their covariance, so it moves a copy
along the directions listings differ in, not into empty dimensions where every neighbour keeps
its distance). Its scale is the smallest at which a copy's nearest listing is its original in
at most a quarter of cases (--nearest-is-original), found by bisection on 500 listings; the
JSON gives it as a multiple of the median distance from a listing to its nearest other one,
and measures the share again on 200 copies of the catalogue itself.

Text queries are the evaluation kit's text queries, encoded by the same encoder. Filters are
categories of the dataset's tree (masterCategory > subCategory > articleType), the node whose
share is nearest each target; the JSON gives each one's real share.

Rows are written as the schema's owner with COPY (products as text, index rows in binary with
their vectors and keyword documents) and foreign-key triggers off (session_replication_role:
the rows are generated consistent); the vector indexes are then built by
search.vector_indexes, as `manage.py rebuild_vector_indexes` does. The data dir is
VITRINE_DATA_DIR, by default var/bench-scale: each N replaces its catalogue.
"""

import argparse
import csv
import io
import json
import os
import statistics
import struct
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import ROOT, SHARED, record_result

sys.path.insert(0, str(ROOT))
os.environ.setdefault("VITRINE_DATA_DIR", str(ROOT / "var" / "bench-scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
# One client sends every query: the per-address search limit would answer 429.
os.environ.setdefault("VITRINE_API_RATE_SEARCH_ANON", "1000000/min")

import django

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from catalog import services as catalog_services  # noqa: E402
from catalog.models import Category, Merchant, Product  # noqa: E402
from core.database_roles import OWNER_ALIAS  # noqa: E402
from search.ml import trained  # noqa: E402
from search.ml.colour import colour_vector  # noqa: E402
from search.ml.encoders import active_dims, get_encoder  # noqa: E402
from search.models import ProductIndex  # noqa: E402
from search.photos import load_photo  # noqa: E402
from search.query_words import understand  # noqa: E402
from search.retrieval import Filters, SourceQuery, retrieve  # noqa: E402

DATASET = SHARED / "datasets" / "fashion-product-images-small"
KIT = SHARED / "eval"
HELD_OUT_EVERY = 100  # one listing in this many is a photo query, never in the catalogue
QUERIES = 100  # of each kind
FILTER_SHARES = (0.5, 0.05, 0.001)
MERCHANTS = 20
CHUNK = 50_000  # listings generated and written at a time
PER_SOURCE = 50  # candidates each source is asked for, as a search's first page asks
PAGE = 24
_EPOCH_2000 = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Sources:
    """The dataset's listings and their vectors, row i for listing i."""

    ids: list[str]
    titles: list[str]
    categories: list[tuple[str, str, str]]
    text: np.ndarray  # (n, text_dim)
    photo_text: np.ndarray  # (n, text_dim): the photo in the text space
    photo_features: np.ndarray  # (n, image_dim)
    colour: np.ndarray  # (n, COLOUR_DIMS)
    encoder_version: str
    photo_version: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--nearest-is-original",
        type=float,
        default=0.25,
        help="the share of copies whose nearest listing may be their original (sets the noise)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    encoder = get_encoder()
    sources = load_sources(encoder)
    held_out = np.arange(len(sources.ids)) % HELD_OUT_EVERY == 0
    text_queries = encoder.encode_texts(read_text_queries())
    lines = []
    for n in args.n:
        line = run(n, sources, held_out, text_queries, args.nearest_is_original, args.seed)
        line["command"] = " ".join(sys.argv)
        line["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        print(json.dumps(line), flush=True)
        lines.append(line)
    # Each N keeps its latest run: one command need not measure every size.
    recorded = ROOT / "bench" / "results" / "scale.json"
    earlier = json.loads(recorded.read_text())["runs"] if recorded.exists() else []
    measured = {line["n"] for line in lines}
    runs = sorted(
        [*(run for run in earlier if run["n"] not in measured), *lines], key=lambda r: r["n"]
    )
    record_result("scale", {"runs": runs})


# -- the dataset's vectors ------------------------------------------------------------------


def load_sources(encoder) -> Sources:
    cache = Path(settings.VITRINE_DATA_DIR) / f"scale-sources-{_slug(encoder.version)}.npz"
    rows = list(csv.DictReader((DATASET / "products.csv").open(newline="")))
    if not cache.exists():
        _embed_sources(encoder, rows, cache)
    saved = np.load(cache)
    return Sources(
        ids=[row["product_id"] for row in rows],
        titles=[row["title"] for row in rows],
        categories=[
            (row["master_category"], row["sub_category"], row["article_type"]) for row in rows
        ],
        text=saved["text"],
        photo_text=saved["photo_text"],
        photo_features=saved["photo_features"],
        colour=saved["colour"],
        encoder_version=encoder.version,
        photo_version=str(saved["photo_version"]),
    )


def _embed_sources(encoder, rows: list[dict], cache: Path) -> None:
    started, batch = time.perf_counter(), 64
    texts, photo_features, colours = [], [], []
    photo_version = ""
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        texts.append(
            encoder.encode_texts(
                [
                    f"{row['title']}. {row['master_category']}, {row['sub_category']}, "
                    f"{row['article_type']}"
                    for row in part
                ]
            )
        )
        photos = [
            load_photo(DATASET / "images" / row["image"], max_pixels=40_000_000) for row in part
        ]
        features, photo_version = trained.encode_photos(encoder, None, photos)
        photo_features.append(features)
        colours.append(np.stack([colour_vector(photo) for photo in photos]))
        done = start + len(part)
        if done % (batch * 40) == 0 or done == len(rows):
            rate = done / (time.perf_counter() - started)
            print(f"embedded {done:,} of {len(rows):,} listings ({rate:.0f}/s)", file=sys.stderr)
    features, colour = np.concatenate(photo_features), np.concatenate(colours)
    photo_text, _ = trained.photos_to_text_space(encoder, None, features, colour)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        cache,
        text=np.concatenate(texts).astype(np.float32),
        photo_text=photo_text.astype(np.float32),
        photo_features=features.astype(np.float32),
        colour=colour.astype(np.float32),
        photo_version=np.array(photo_version),
    )


def read_text_queries() -> list[str]:
    queries = []
    for name in ("text_queries_dev.csv", "text_queries_heldout.csv"):
        if (KIT / name).exists():
            with (KIT / name).open(newline="") as source:
                queries += [row["query"] for row in csv.DictReader(source)]
    return list(dict.fromkeys(queries))[:QUERIES]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)[:80]


# -- one catalogue ----------------------------------------------------------------------------


@dataclass
class Catalogue:
    source_of: np.ndarray  # (N,) each listing's source row
    text: np.ndarray  # (N, d) as written
    photo_text: np.ndarray  # (N, d)
    category_of: np.ndarray  # (N,) category ids


def run(n, sources, held_out, text_queries, noise, seed) -> dict:
    rng = np.random.default_rng(seed)
    in_catalogue = np.flatnonzero(~held_out)
    if n <= len(in_catalogue):
        source_of = np.sort(rng.choice(in_catalogue, n, replace=False))
    else:
        copies = rng.choice(in_catalogue, n - len(in_catalogue))
        source_of = np.concatenate([in_catalogue, copies])
    originals = min(n, len(in_catalogue))
    spreads = {
        name: NoiseModel.fit(vectors[in_catalogue], noise, rng)
        for name, vectors in (
            ("text", sources.text),
            ("photo_text", sources.photo_text),
            ("photo_features", sources.photo_features),
        )
    }
    categories = _categories(sources)
    started = time.perf_counter()
    catalogue = write_catalogue(sources, source_of, originals, spreads, categories, rng)
    write_seconds = time.perf_counter() - started
    indexes = build_indexes()
    filters = _filters(catalogue, categories)
    photo_queries = sources.photo_text[held_out][:QUERIES]
    line = {
        "n": n,
        "listings_per_second": round(n / write_seconds),
        "write_seconds": round(write_seconds, 1),
        "noise": {
            name: {"scale": round(model.scale, 4), "x_median_nearest": round(model.factor, 2)}
            for name, model in spreads.items()
        }
        | {"copy_nearest_is_original": _nearest_is_original(catalogue, originals, rng)},
        "indexes": indexes,
        "retrieval_ms": {
            "text": measure_retrieval("text", text_queries, catalogue, filters, sources),
            "photo": measure_retrieval("photo", photo_queries, catalogue, filters, sources),
            "keywords": measure_keywords(filters, sources),
        },
        "ef_search": settings.VITRINE_HNSW_EF_SEARCH,
        "api_text": measure_api(),
        "database": database_memory(),
    }
    return line


class NoiseModel:
    """Gaussian noise with the vectors' covariance, at the smallest scale (a multiple of the
    median distance from a vector to its nearest other one) at which a noisy copy's nearest
    listing is its original in at most `nearest_is_original` of cases."""

    def __init__(self, basis: np.ndarray, scale: float, factor: float):
        self.basis, self.scale, self.factor = basis, scale, factor

    @classmethod
    def fit(cls, vectors: np.ndarray, nearest_is_original: float, rng) -> "NoiseModel":
        centred = vectors - vectors.mean(axis=0)
        values, axes = np.linalg.eigh(centred.T @ centred / len(centred))
        values = np.clip(values, 0, None)
        # Each draw g @ basis has expected squared length 1.
        basis = (axes * np.sqrt(values / values.sum())).T.astype(np.float32)
        unit = _normalised(vectors)
        probes = rng.choice(len(vectors), min(500, len(vectors)), replace=False)
        similarity = unit[probes] @ unit.T
        similarity[similarity > 0.99999] = -1  # itself, and exact duplicates
        median_nearest = float(np.median(np.sqrt(np.clip(2 - 2 * similarity.max(axis=1), 0, 2))))
        draws = rng.standard_normal((len(probes), len(basis)), dtype=np.float32) @ basis

        def share(factor: float) -> float:
            copies = _normalised(unit[probes] + factor * median_nearest * draws)
            return float(np.mean((copies @ unit.T).argmax(axis=1) == probes))

        low, high = 0.0, 16.0
        for _ in range(10):  # bisection: the share falls as the noise grows
            middle = (low + high) / 2
            low, high = (middle, high) if share(middle) > nearest_is_original else (low, middle)
        return cls(basis, high * median_nearest, high)

    def moved(self, vectors: np.ndarray, rng) -> np.ndarray:
        noise = rng.standard_normal((len(vectors), len(self.basis)), dtype=np.float32)
        return vectors + self.scale * (noise @ self.basis)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _categories(sources: Sources) -> dict[tuple[str, ...], int]:
    """Each path of the dataset's tree (1 to 3 names) -> its category id, made once."""
    ids = {}
    for path in sorted(set(sources.categories)):
        for depth in range(1, 4):
            if path[:depth] not in ids:
                ids[path[:depth]] = catalog_services.category_from_path(" > ".join(path[:depth])).pk
    return ids


def write_catalogue(sources, source_of, originals, spreads, categories, rng) -> Catalogue:
    n = len(source_of)
    owner = connections[OWNER_ALIAS]
    owner.ensure_connection()
    raw = owner.connection
    merchant_ids = _merchants()
    leaf_of = np.array([categories[path] for path in sources.categories])
    keywords = _keyword_documents(sources, raw)
    text = np.empty((n, sources.text.shape[1]), dtype=np.float32)
    photo_text = np.empty_like(text)
    table, index_table = Product._meta.db_table, ProductIndex._meta.db_table
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        cursor.execute("DROP INDEX IF EXISTS productindex_keywords")
        for index in ("productindex_text_hnsw", "productindex_photo_hnsw"):
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute("DROP INDEX IF EXISTS productindex_photo_only_hnsw")
        cursor.execute("SET session_replication_role = replica")
    raw.commit()
    now = datetime.now(UTC)
    micros = int((now - _EPOCH_2000).total_seconds() * 1e6)
    for start in range(0, n, CHUNK):
        rows = source_of[start : start + CHUNK]
        ids = np.arange(start + 1, start + 1 + len(rows))
        copied = ids > originals
        vectors = {}
        for name in ("text", "photo_text", "photo_features"):
            chunk = getattr(sources, name)[rows]
            if copied.any():
                chunk[copied] = spreads[name].moved(chunk[copied], rng)
            vectors[name] = _normalised(chunk).astype(np.float32)
        text[start : start + len(rows)] = vectors["text"]
        photo_text[start : start + len(rows)] = vectors["photo_text"]
        prices = np.round(np.exp(rng.normal(3.5, 0.8, len(rows))), 2)
        created = micros - rng.integers(0, 365 * 86400 * 10**6, len(rows))
        with raw.cursor() as cursor:
            with cursor.copy(
                f"COPY {table} (id, merchant_id, sku, title, description, category_id, price, "
                "currency, stock, status, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(
                    _product_lines(ids, rows, sources, merchant_ids, leaf_of, prices, created, rng)
                )
            with cursor.copy(
                f"COPY {index_table} (product_id, text_vector, photo_text_vector, "
                "photo_features, colour_vector, encoder_version, photo_version, map_version, "
                "dirty, error, created_at, updated_at, indexed_at, keywords) "
                "FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.write(_index_rows(ids, rows, vectors, sources, keywords, micros))
        raw.commit()
        print(f"wrote {start + len(rows):,} of {n:,}", file=sys.stderr)
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [n])
    raw.commit()
    return Catalogue(source_of, text, photo_text, leaf_of[source_of])


def _merchants() -> list[int]:
    ids = []
    for number in range(MERCHANTS):
        name = f"scale-merchant-{number}"
        merchant = Merchant.objects.filter(user__username=name).first()
        if merchant is None:
            merchant = catalog_services.create_merchant(name, "scale-bench-password-1", name=name)
        ids.append(merchant.pk)
    return ids


def _keyword_documents(sources: Sources, raw) -> list[bytes]:
    """Each source's keyword document in tsvector's binary form, made by PostgreSQL as
    search.services makes it (copies share their original's title and category)."""
    config = settings.SEARCH_TEXT_CONFIG
    names = [" > ".join(path) for path in sources.categories]
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT tsvectorsend(setweight(to_tsvector(%s::regconfig, title), 'A') "
            "|| setweight(to_tsvector(%s::regconfig, category), 'B')) "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(title, category, i) "
            "ORDER BY i",
            [config, config, sources.titles, names],
        )
        return [bytes(row[0]) for row in cursor.fetchall()]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _product_lines(ids, rows, sources, merchant_ids, leaf_of, prices, created, rng) -> bytes:
    stock = rng.integers(0, 40, len(rows))
    lines = []
    for pk, row, price, stocked, made in zip(ids, rows, prices, stock, created, strict=True):
        stamp = datetime.fromtimestamp(_EPOCH_2000.timestamp() + made / 1e6, UTC).isoformat()
        lines.append(
            f"{pk}\t{merchant_ids[pk % MERCHANTS]}\tS{pk:07d}\t{_escape(sources.titles[row])}\t"
            f"\t{leaf_of[row]}\t{price:.2f}\tUSD\t{stocked}\tactive\t1\t{stamp}\t{stamp}\n"
        )
    return "".join(lines).encode()


def _vector_field(vectors: np.ndarray) -> np.ndarray:
    """pgvector's binary form with COPY's length word, one row per vector."""
    n, d = vectors.shape
    head = np.frombuffer(struct.pack(">iHH", 4 + 4 * d, d, 0), dtype=np.uint8)
    body = vectors.astype(">f4").view(np.uint8).reshape(n, 4 * d)
    return np.hstack([np.broadcast_to(head, (n, 8)), body])


def _text_field(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">i", len(data)) + data


def _index_rows(ids, rows, vectors, sources, keywords, micros) -> bytes:
    n = len(ids)
    fixed = np.hstack(
        [
            np.frombuffer(struct.pack(">h", 14), dtype=np.uint8)[None].repeat(n, 0),
            np.frombuffer(b"".join(struct.pack(">iq", 8, pk) for pk in ids), np.uint8).reshape(
                n, 12
            ),
            _vector_field(vectors["text"]),
            _vector_field(vectors["photo_text"]),
            _vector_field(vectors["photo_features"]),
            _vector_field(sources.colour[rows]),
        ]
    )
    constant = (
        _text_field(sources.encoder_version)
        + _text_field(sources.photo_version)
        + _text_field("")
        + struct.pack(">ib", 1, 0)  # not dirty
        + _text_field("")
        + struct.pack(">iq", 8, micros) * 3  # created, updated, indexed
    )
    out = io.BytesIO()
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
    width = fixed.shape[1]
    flat = fixed.tobytes()
    for i, row in enumerate(rows):
        document = keywords[row]
        out.write(flat[i * width : (i + 1) * width])
        out.write(constant)
        out.write(struct.pack(">i", len(document)))
        out.write(document)
    out.write(struct.pack(">h", -1))
    return out.getvalue()


# -- indexes and memory -----------------------------------------------------------------------


def build_indexes() -> dict:
    from search.vector_indexes import rebuild_vector_indexes

    owner = connections[OWNER_ALIAS]
    table = ProductIndex._meta.db_table
    with owner.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute(f"VACUUM (ANALYZE) {Product._meta.db_table}")
        started = time.perf_counter()
        cursor.execute(f"CREATE INDEX productindex_keywords ON {table} USING gin (keywords)")
        keyword_seconds = time.perf_counter() - started
        cursor.execute("SELECT pg_relation_size('productindex_keywords')")
        keyword_bytes = cursor.fetchone()[0]
    built = {
        index.name: {"seconds": round(index.seconds, 1), "mib": round(index.bytes / 2**20, 1)}
        for index in rebuild_vector_indexes()
    }
    built["productindex_keywords"] = {
        "seconds": round(keyword_seconds, 1),
        "mib": round(keyword_bytes / 2**20, 1),
    }
    built["build_settings"] = {
        "m": settings.VITRINE_HNSW_M,
        "ef_construction": settings.VITRINE_HNSW_EF_CONSTRUCTION,
        "memory": settings.VITRINE_HNSW_BUILD_MEMORY,
        "workers": settings.VITRINE_HNSW_BUILD_WORKERS,
    }
    return built


def database_memory() -> dict:
    owner = connections[OWNER_ALIAS]
    with owner.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
        cursor.execute(
            "SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass), "
            "pg_total_relation_size(%s::regclass)",
            [ProductIndex._meta.db_table, ProductIndex._meta.db_table, Product._meta.db_table],
        )
        index_table, index_indexes, products = cursor.fetchone()
    postmaster = psutil.Process(int((data_directory / "postmaster.pid").read_text().split()[0]))
    processes = [postmaster, *postmaster.children(recursive=True)]
    # Proportional set size: shared buffers counted once, however many backends map them.
    pss = sum(_pss(process) for process in processes)
    return {
        "shared_buffers": shared_buffers,
        "processes_pss_mib": round(pss / 2**20),
        "search_rows_mib": round(index_table / 2**20),
        "search_indexes_mib": round(index_indexes / 2**20),
        "products_mib": round(products / 2**20),
    }


def _pss(process) -> int:
    try:
        return process.memory_full_info().pss
    except psutil.Error:
        return 0


# -- measurements -----------------------------------------------------------------------------


def _filters(catalogue: Catalogue, categories: dict) -> dict[str, tuple[Filters, np.ndarray]]:
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
        exact = _exact_top(queries, vectors, mask, 10)
        for query in queries[:10]:  # the first queries of a filter read its pages from disk
            retrieve(_source_query(kind, query), chosen, sources.encoder_version, dims, PER_SOURCE)
        times, recalls, full = [], [], []
        for query, truth in zip(queries, exact, strict=True):
            started = time.perf_counter()
            candidates = retrieve(
                _source_query(kind, query), chosen, sources.encoder_version, dims, PER_SOURCE
            )
            times.append((time.perf_counter() - started) * 1000)
            ranks = candidates.source_ranks["text" if kind == "text" else "photo"]
            found = candidates.product_ids[ranks >= 0][np.argsort(ranks[ranks >= 0])]
            recalls.append(len(set(found[:10].tolist()) & set(truth.tolist())) / len(truth))
            full.append(len(found) >= min(PER_SOURCE, int(mask.sum())))
        results[name] = {
            "category": category,
            "share": share,
            **_percentiles(times),
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


def _exact_top(queries: np.ndarray, vectors: np.ndarray, mask: np.ndarray, k: int) -> list:
    """Each query's k nearest allowed listings by cosine (ids are row + 1)."""
    allowed = np.flatnonzero(mask)
    scores = _normalised(queries.astype(np.float32)) @ vectors[allowed].T
    top = np.argpartition(-scores, min(k, len(allowed) - 1), axis=1)[:, :k]
    return [allowed[row] + 1 for row in top]


def measure_api() -> dict:
    client = Client(HTTP_HOST="localhost")
    queries = read_text_queries()

    def request(query: str) -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/search/", {"q": query, "limit": PAGE}, secure=True)
        assert response.status_code == 200, response.content
        return (time.perf_counter() - started) * 1000

    for query in queries[:10]:  # the models load, and the pages the queries read
        request(query)
    return _percentiles([request(query) for query in queries])


def _nearest_is_original(catalogue: Catalogue, originals: int, rng) -> float | None:
    """Of 200 copies, the share whose nearest other listing (text vectors) is their original."""
    copies = np.arange(originals, len(catalogue.source_of))
    if not len(copies):
        return None
    probes = rng.choice(copies, min(200, len(copies)), replace=False)
    best = np.full(len(probes), -np.inf, dtype=np.float32)
    nearest = np.zeros(len(probes), dtype=np.int64)
    for start in range(0, len(catalogue.text), CHUNK):
        block = catalogue.text[start : start + CHUNK]
        scores = catalogue.text[probes] @ block.T
        own = (probes >= start) & (probes < start + len(block))
        scores[np.flatnonzero(own), probes[own] - start] = -np.inf
        top = scores.argmax(axis=1)
        better = scores[np.arange(len(probes)), top] > best
        best[better] = scores[np.arange(len(probes)), top][better]
        nearest[better] = start + top[better]
    # The original of a copy is the first listing with its source (listings up to `originals`).
    position = {source: row for row, source in enumerate(catalogue.source_of[:originals])}
    originals_of = np.array([position[catalogue.source_of[p]] for p in probes])
    return round(float(np.mean(nearest == originals_of)), 3)


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=20)
    return {"p50": round(statistics.median(samples), 1), "p95": round(cuts[18], 1)}


if __name__ == "__main__":
    main()
