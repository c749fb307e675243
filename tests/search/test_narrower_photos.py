"""Which narrower kind a listing's photo shows where its words name the kind alone ("Brown
Shoes": casual or sports?), learned from the photos of the listings that say, and read as the
title match's narrowing value, in training as in search."""

import numpy as np
import pytest

from search.ml import trained
from search.ml.narrower_photos import NarrowerPhotos
from search.ml.ranking import MatchHead
from search.ml.training.catalogue import CatalogueSnapshot
from search.ml.training.narrower_photos import TEMPERATURES, fit_narrower_photos
from search.ml.training.photo_readers import PhotoReaders
from search.ml.training.pseudo_queries import TextQuery
from search.ml.training.ranked_lists import text_query_lists

WIDTH = 8
CASUAL, SPORTS, LAMP = np.eye(WIDTH, dtype=np.float32)[:3]


def near(direction: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` unit vectors about `direction`: photos of one look, mapped into the text space."""
    vectors = direction + 0.3 * rng.normal(size=(count, WIDTH)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def shoe_catalogue(per_kind: int = 8) -> tuple[CatalogueSnapshot, np.ndarray]:
    """`per_kind` casual and as many sports shoes whose titles say which (first), three whose
    titles do not (one looks casual, one sporty, one has no photo), and lamps; and every
    listing's mapped photo."""
    rng = np.random.default_rng(0)
    brands = ("Puma", "Nike", "Bata", "Reebok", "Vans", "Fila", "Asics", "Lotto") * per_kind
    titles = [f"{brand} Men Casual Shoes" for brand in brands[:per_kind]]
    titles += [f"{brand} Men Sports Shoes" for brand in brands[:per_kind]]
    titles += ["Spinn Men Brown Shoes", "Spinn Men Black Shoes", "Spinn Men Grey Shoes"]
    titles += [f"{brand} Floor Lamp" for brand in brands[:4]]
    photos = np.vstack(
        [
            near(CASUAL, rng, per_kind),
            near(SPORTS, rng, per_kind),
            near(CASUAL, rng, 1),
            near(SPORTS, rng, 1),
            np.zeros((1, WIDTH), np.float32),
            near(LAMP, rng, 4),
        ]
    )
    count = len(titles)
    snapshot = CatalogueSnapshot(
        product_ids=np.arange(count),
        titles=titles,
        categories=["Footwear > Shoes"] * (2 * per_kind + 3) + ["Home > Lighting"] * 4,
        text=np.ones((count, WIDTH), np.float32),
        image=np.ones((count, 4), np.float32),
        colour=np.zeros((count, 4), np.float32),
        has_text=np.ones(count, bool),
        has_photo=photos.any(axis=1),
        states_colour=np.ones(count, bool),
    )
    return snapshot, photos


def test_the_look_of_each_narrower_kind_is_learned_from_the_listings_that_name_it():
    snapshot, photos = shoe_catalogue(per_kind=40)
    assert snapshot.vocabulary.narrower_kinds["shoe"]["casual"] == {"sport"}
    named = np.arange(80)
    learning, held_out = named[named % 2 == 1], named[named % 2 == 0]

    narrower, measures = fit_narrower_photos(snapshot, photos, learning, held_out)

    assert set(narrower.centres) == {"shoe"}  # a lamp's kind has no narrower kinds here
    assert set(narrower.centres["shoe"]) == {"casual", "sport"}
    assert narrower.centres["shoe"]["casual"] @ CASUAL > 0.9
    assert measures["accuracy"] == 1.0 and measures["held_out_listings"] == len(held_out)
    assert narrower.temperature in TEMPERATURES
    # The temperature is the likeliest reading of the held-out listings' words: sharp where
    # the looks are this far apart.
    assert narrower.temperature < 0.2


def test_too_few_held_out_listings_to_fit_the_temperature_leave_the_middle_one():
    snapshot, photos = shoe_catalogue(per_kind=8)
    named = np.arange(16)
    learning, held_out = named[named % 4 != 0], named[named % 4 == 0]

    narrower, measures = fit_narrower_photos(snapshot, photos, learning, held_out)

    assert set(narrower.centres["shoe"]) == {"casual", "sport"}
    # Four listings all read right would make it the sharpest.
    assert narrower.temperature == TEMPERATURES[len(TEMPERATURES) // 2]
    assert measures == {"held_out_listings": 4}


def test_a_listing_that_names_the_kind_alone_is_read_by_its_photo():
    vocabulary = shoe_catalogue()[0].vocabulary
    narrower = NarrowerPhotos({"shoe": {"casual": CASUAL, "sport": SPORTS}}, temperature=0.05)
    query = vocabulary.wanted("casual shoes")
    assert query.modifiers == {"casual"}
    # kind named, narrowing value: vague with a casual look, vague with a sporty one, vague
    # without a photo, named casual, named sports, another kind.
    matches = np.array(
        [[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0], [1, 0, -1, 0], [0, 0, 0, 0]],
        dtype=np.float32,
    )
    photos = np.stack([CASUAL, SPORTS, np.zeros(WIDTH), CASUAL, CASUAL, CASUAL])

    rows, chance = narrower.read_vague(
        matches, np.ones(6, bool), photos, query, vocabulary.narrower_kinds
    )

    assert rows.tolist() == [0, 1]
    assert chance[0] > 0.99 and chance[1] < 0.01
    assert matches[:, 2] == pytest.approx([2 * chance[0] - 1, 2 * chance[1] - 1, 0, 1, -1, 0])
    # Words that ask for no narrower kind, or one without a look of its rivals, leave all.
    assert (
        narrower.read_vague(
            matches, np.ones(6, bool), photos, vocabulary.wanted("shoes"), vocabulary.narrower_kinds
        )
        is None
    )
    assert narrower.chance(query, {}, photos) is None


def test_training_counts_a_vague_listing_by_the_narrower_kind_its_photo_shows():
    snapshot, photos = shoe_catalogue()
    narrower = NarrowerPhotos({"shoe": {"casual": CASUAL, "sport": SPORTS}}, temperature=0.05)

    lists = text_query_lists(
        snapshot,
        photos,
        [TextQuery("men casual shoes")],
        encode_texts=lambda texts: np.ones((len(texts), WIDTH), np.float32),
        keyword_ranks=lambda queries, rows: np.zeros(rows.shape, dtype=np.float32),
        plays_sparse=np.zeros(len(snapshot), dtype=bool),
        photos=PhotoReaders(narrower_photos=narrower, photo_vectors=photos),
    )
    found = lists.candidates[0].tolist()
    gains = {snapshot.titles[i]: lists.gains[0, found.index(i)] for i in found if i >= 0}
    narrowing = {
        snapshot.titles[i]: lists.title_match[0, found.index(i), 2] for i in found if i >= 0
    }
    assert gains["Puma Men Casual Shoes"] == 2 and gains["Puma Men Sports Shoes"] == 0.5
    # The casual-looking one counts nearly as a casual shoe, the sporty one as a sports shoe;
    # without a photo, a shoe of either kind (a broader kind than asked: half).
    assert gains["Spinn Men Brown Shoes"] == pytest.approx(2, abs=0.02)
    assert gains["Spinn Men Black Shoes"] == pytest.approx(0.5, abs=0.02)
    assert gains["Spinn Men Grey Shoes"] == 1
    assert narrowing["Spinn Men Brown Shoes"] == pytest.approx(1, abs=0.02)
    assert narrowing["Spinn Men Black Shoes"] == pytest.approx(-1, abs=0.02)
    assert narrowing["Spinn Men Grey Shoes"] == 0


def test_a_saved_model_keeps_what_its_narrower_kinds_look_like():
    narrower = NarrowerPhotos({"shoe": {"casual": CASUAL, "sport": SPORTS}}, temperature=0.05)
    version = trained.new_version()
    trained.save(
        trained.SearchModel(
            version, "e", head=MatchHead(WIDTH), photo_map=None, narrower_photos=narrower
        )
    )
    loaded = trained.load(version).narrower_photos
    assert loaded.temperature == 0.05
    assert loaded.centres["shoe"]["sport"] == pytest.approx(SPORTS)
