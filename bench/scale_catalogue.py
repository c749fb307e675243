"""bench/scale.py's catalogue: the dataset's listings embedded once, and a catalogue of N
listings grown from them (noisy copies past the dataset's size), written with COPY."""

import csv
import io
import struct
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import SHARED
from django.conf import settings
from django.db import connections

from catalog import services as catalog_services
from catalog.models import Merchant, Product
from core.database_roles import OWNER_ALIAS
from search import catalogue_version
from search.db import binary_vector_cursor
from search.ml import trained
from search.ml.colour import colour_vector
from search.models import ProductIndex
from search.photos import load_photo
from search.services import keyword_document_sql

DATASET = SHARED / "datasets" / "fashion-product-images-small"
MERCHANTS = 20
CHUNK = 50_000  # listings generated and written at a time
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


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)[:80]


@dataclass
class Catalogue:
    source_of: np.ndarray  # (N,) each listing's source row
    text: np.ndarray  # (N, d) as written
    photo_text: np.ndarray  # (N, d)
    category_of: np.ndarray  # (N,) category ids
    # Seconds spent in the COPY statements and their commits: the database's share of the
    # writing, without making the rows (the noise of a million copies takes longer than that).
    copy_seconds: float = 0.0


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
        unit = normalised(vectors)
        probes = rng.choice(len(vectors), min(500, len(vectors)), replace=False)
        similarity = unit[probes] @ unit.T
        similarity[similarity > 0.99999] = -1  # itself, and exact duplicates
        median_nearest = float(np.median(np.sqrt(np.clip(2 - 2 * similarity.max(axis=1), 0, 2))))
        draws = rng.standard_normal((len(probes), len(basis)), dtype=np.float32) @ basis

        def share(factor: float) -> float:
            copies = normalised(unit[probes] + factor * median_nearest * draws)
            return float(np.mean((copies @ unit.T).argmax(axis=1) == probes))

        low, high = 0.0, 16.0
        for _ in range(10):  # bisection: the share falls as the noise grows
            middle = (low + high) / 2
            low, high = (middle, high) if share(middle) > nearest_is_original else (low, middle)
        return cls(basis, high * median_nearest, high)

    def moved(self, vectors: np.ndarray, rng) -> np.ndarray:
        noise = rng.standard_normal((len(vectors), len(self.basis)), dtype=np.float32)
        return vectors + self.scale * (noise @ self.basis)


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def categories_of(sources: Sources) -> dict[tuple[str, ...], int]:
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
    category_ids = _category_id_arrays(sources, categories)
    text = np.empty((n, sources.text.shape[1]), dtype=np.float32)
    photo_text = np.empty_like(text)
    table, index_table = Product._meta.db_table, ProductIndex._meta.db_table
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        # Built again after the rows (bench/scale.py): cheaper than kept up row by row.
        cursor.execute(
            "SELECT class.relname FROM pg_index AS index "
            "JOIN pg_class AS class ON class.oid = index.indexrelid "
            "WHERE index.indrelid = %s::regclass AND (class.relname LIKE '%%hnsw%%' "
            "OR class.relname IN ('productindex_keywords', 'productindex_categories'))",
            [index_table],
        )
        for (index,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute("SET session_replication_role = replica")
    raw.commit()
    now = datetime.now(UTC)
    micros = int((now - _EPOCH_2000).total_seconds() * 1e6)
    copy_seconds = 0.0
    for start in range(0, n, CHUNK):
        rows = source_of[start : start + CHUNK]
        ids = np.arange(start + 1, start + 1 + len(rows))
        copied = ids > originals
        vectors = {}
        for name in ("text", "photo_text", "photo_features"):
            chunk = getattr(sources, name)[rows]
            if copied.any():
                chunk[copied] = spreads[name].moved(chunk[copied], rng)
            vectors[name] = normalised(chunk).astype(np.float32)
        text[start : start + len(rows)] = vectors["text"]
        photo_text[start : start + len(rows)] = vectors["photo_text"]
        prices = np.round(np.exp(rng.normal(3.5, 0.8, len(rows))), 2)
        created = micros - rng.integers(0, 365 * 86400 * 10**6, len(rows))
        lines = _product_lines(ids, rows, sources, merchant_ids, leaf_of, prices, created, rng)
        index_rows = _index_rows(ids, rows, vectors, sources, keywords, category_ids, micros)
        copy_started = time.perf_counter()
        with raw.cursor() as cursor:
            with cursor.copy(
                f"COPY {table} (id, merchant_id, sku, title, description, category_id, price, "
                "currency, stock, status, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(lines)
            with cursor.copy(
                f"COPY {index_table} (product_id, text_vector, photo_text_vector, "
                "photo_features, colour_vector, encoder_version, photo_version, map_version, "
                "dirty, error, created_at, updated_at, indexed_at, keywords, categories) "
                "FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.write(index_rows)
        raw.commit()
        copy_seconds += time.perf_counter() - copy_started
        print(f"wrote {start + len(rows):,} of {n:,}", file=sys.stderr)
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [n])
    raw.commit()
    catalogue_version.bump()  # written behind the services' backs: its words are learned anew
    return Catalogue(source_of, text, photo_text, leaf_of[source_of], copy_seconds)


def read_catalogue() -> Catalogue:
    """The catalogue written last, read back from the database: its vectors as stored and each
    listing's category (its sources are not kept)."""
    owner = connections[OWNER_ALIAS]
    owner.ensure_connection()
    with binary_vector_cursor(OWNER_ALIAS) as cursor:
        cursor.execute(
            f"SELECT row.text_vector, row.photo_text_vector, product.category_id "
            f"FROM {ProductIndex._meta.db_table} AS row "
            f"JOIN {Product._meta.db_table} AS product ON product.id = row.product_id "
            "ORDER BY row.product_id"
        )
        rows = cursor.fetchall()
    return Catalogue(
        source_of=np.zeros(0, dtype=np.int64),
        text=np.stack([text for text, _, _ in rows]),
        photo_text=np.stack([photo for _, photo, _ in rows]),
        category_of=np.array([category for *_, category in rows]),
    )


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
        document = keyword_document_sql("title", "category", "''", "%(config)s::regconfig")
        cursor.execute(
            f"SELECT tsvectorsend({document}) "
            "FROM unnest(%(titles)s::text[], %(names)s::text[]) WITH ORDINALITY "
            "AS t(title, category, i) ORDER BY i",
            {"config": config, "titles": sources.titles, "names": names},
        )
        return [bytes(row[0]) for row in cursor.fetchall()]


def _category_id_arrays(sources: Sources, categories: dict) -> list[bytes]:
    """Each source's category and its ancestors (ProductIndex.categories) as a binary int4[]
    field: one dimension, no nulls, element type int4 (oid 23), then each id."""
    arrays = []
    for path in sources.categories:
        ids = [categories[path[:depth]] for depth in range(1, len(path) + 1)]
        body = struct.pack(">iiiii", 1, 0, 23, len(ids), 1) + b"".join(
            struct.pack(">ii", 4, pk) for pk in ids
        )
        arrays.append(struct.pack(">i", len(body)) + body)
    return arrays


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


def _index_rows(ids, rows, vectors, sources, keywords, category_ids, micros) -> bytes:
    n = len(ids)
    fixed = np.hstack(
        [
            np.frombuffer(struct.pack(">h", 15), dtype=np.uint8)[None].repeat(n, 0),
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
        out.write(category_ids[row])
    out.write(struct.pack(">h", -1))
    return out.getvalue()


def nearest_is_original(catalogue: Catalogue, originals: int, rng) -> float | None:
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
