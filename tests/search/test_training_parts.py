"""The parts of training, each on its own: a trained model's activation and the photos'
re-mapping left to the workers, the catalogue's sample, and the gains of the ranked lists the
match head learns from."""

import base64
import io
import json
import random

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from catalog.models import Product
from core.broker import redis_client
from search import services
from search.indexing import embed_stale
from search.ml import trained
from search.ml.remapping import remap_photos, unmapped_rows
from search.ml.training import NotEnoughData, train_search
from search.ml.training.catalogue import load_snapshot, logged_text_queries
from search.ml.training.photo_readers import PhotoReaders
from search.ml.training.pseudo_queries import TextQuery
from search.ml.training.ranked_lists import refined_photo_query_lists, text_query_lists
from search.models import ProductIndex
from search.result_tokens import ShownResults
from tests.search.conftest import kit_catalogue
from vitrine.celery import app
from workers.remapping import REMAP_TASK
from workers.routing import DEFAULT_QUEUE

pytestmark = pytest.mark.slow  # started first: tests/conftest.py


def queued_remappings() -> list[list]:
    """The arguments of the re-mapping tasks waiting in the real broker's default queue."""
    messages = [json.loads(raw) for raw in redis_client().lrange(DEFAULT_QUEUE, 0, -1)]
    return [
        json.loads(base64.b64decode(message["body"]))[0]
        for message in messages
        if message["headers"]["task"] == REMAP_TASK
    ]


def one_list(snapshot, query: TextQuery, encoder, photos: PhotoReaders | None = None):
    """The ranked list of one text query, its candidates' vectors those of the snapshot, no
    keyword ranks and none playing sparse."""
    return text_query_lists(
        snapshot,
        snapshot.text,
        [query],
        encode_texts=encoder.encode_texts,
        keyword_ranks=lambda queries, rows: np.zeros(rows.shape, dtype=np.float32),
        plays_sparse=np.zeros(len(snapshot), dtype=bool),
        photos=photos,
    )


def test_training_activates_its_model_and_leaves_the_photos_re_mapping_to_the_workers(
    db, tmp_path, encoder, settings
):
    kit_catalogue(tmp_path, encoder, products=150)
    settings.VITRINE_PHOTO_TUNING_EPOCHS = 0  # the photo encoder stays: only the map is new
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(DEFAULT_QUEUE)
    with_photos = ProductIndex.objects.filter(photo_features__isnull=False).order_by("product_id")

    def photo_text_vectors() -> np.ndarray:
        return np.array(with_photos.values_list("photo_text_vector", flat=True))

    zero_shot = photo_text_vectors()
    out = io.StringIO()

    call_command("train_search", stdout=out)

    model = trained.active_model(encoder.version)
    assert model is not None and model.photo_map is not None
    # Training returned with every stored photo still on the earlier (zero-shot) map, and the
    # re-mapping queued for the workers; the command says how many rows it leaves them.
    assert set(with_photos.values_list("map_version", flat=True)) == {""}
    assert np.array_equal(photo_text_vectors(), zero_shot)
    assert unmapped_rows(model) == with_photos.count()
    assert f"{with_photos.count():,} photos remain to be re-mapped" in out.getvalue()
    assert queued_remappings() == [[model.version, 0, False]]

    # What the workers' batches do, run here to the end: every photo mapped by the active map.
    assert remap_photos(model.version) == with_photos.count()
    assert unmapped_rows(model) == 0
    features, colours = (
        np.array(with_photos.values_list(name, flat=True), dtype=np.float32)
        for name in ("photo_features", "colour_vector")
    )
    assert np.allclose(photo_text_vectors(), model.map_photos(features, colours), atol=1e-5)
    assert set(with_photos.values_list("map_version", flat=True)) == {model.version}


def test_training_refuses_a_catalogue_too_small(make_product, encoder):
    make_product("ONE")
    embed_stale(encoder)
    with pytest.raises(NotEnoughData, match="needs"):
        train_search(encoder)


def test_past_its_sample_size_training_reads_a_random_sample_of_the_catalogue(
    make_product, encoder
):
    for number in range(120):
        make_product(f"MUG-{number}", title=f"Stoneware mug {number}", photos=[])
    embed_stale(encoder)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_productindex")  # the planner's row count drives it
    dims = (encoder.version, encoder.dims.text, encoder.dims.image)

    whole = load_snapshot(*dims, sample=500)
    first = load_snapshot(*dims, sample=30, seed=1)
    again = load_snapshot(*dims, sample=30, seed=1)
    other = load_snapshot(*dims, sample=30, seed=2)

    assert len(whole) == 120  # a catalogue within the sample size is read whole
    assert 0 < len(first) <= 30 and set(first.product_ids) <= set(whole.product_ids)
    assert first.product_ids.tolist() == again.product_ids.tolist()  # repeatable by its seed
    assert first.product_ids.tolist() != other.product_ids.tolist()
    # Drawn across the catalogue, not its first rows.
    assert first.product_ids.max() > sorted(whole.product_ids)[60]


def test_a_shoppers_choice_counts_as_fully_relevant_in_training(make_product, encoder):
    make_product("COAT", title="Grey wool coat")
    make_product("SCARF", title="Green silk scarf")
    embed_stale(encoder)
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)
    scarf = snapshot.titles.index("Green silk scarf")
    scarf_product = Product.objects.get(sku="SCARF")
    shown = ShownResults("coat", False, (scarf_product.pk,), offset=3, searcher="s1")
    services.log_search_event(shown, scarf_product, "click")
    [query] = logged_text_queries(snapshot, limit=10)
    assert query == TextQuery("coat", clicked=scarf)

    lists = one_list(snapshot, query, encoder)
    gains = dict(zip(lists.candidates[0].tolist(), lists.gains[0].tolist(), strict=True))
    assert gains[scarf] == 2  # chosen, though its title does not say "coat"
    assert gains[snapshot.titles.index("Grey wool coat")] == 2
    # Only the coat's own title names what the shopper typed.
    names = dict(zip(lists.candidates[0].tolist(), lists.title_match[0, :, 0], strict=True))
    assert (names[snapshot.titles.index("Grey wool coat")], names[scarf]) == (1, 0)


def test_training_counts_a_product_of_a_broader_category_than_the_kind_asked_for_half(
    make_product, encoder
):
    make_product("SHOES", title="Leather shoes, black", category_path="Men > Shoes > Shoes")
    make_product("HEELS", title="Heeled sandals, black", category_path="Women > Shoes > Heels")
    make_product("BELT", title="Leather belt, black", category_path="Men > Accessories > Belts")
    embed_stale(encoder)
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)

    lists = one_list(snapshot, TextQuery("black shoes"), encoder)
    gains = {
        snapshot.titles[row]: gain
        for row, gain in zip(lists.candidates[0], lists.gains[0], strict=True)
        if row >= 0
    }
    # Heeled sandals are of "Shoes", but their own category says they are heels.
    assert gains["Leather shoes, black"] == 2 and gains["Heeled sandals, black"] == 1


def test_training_reads_the_colour_of_a_listing_that_states_none_from_its_photo(
    make_product, encoder
):
    make_product("STATED", title="Revlon Red Lip Gloss 5", category_path="Beauty > Lips")
    make_product("SURE", title="Revlon Lip Gloss 12", category_path="Beauty > Lips")
    make_product("UNSURE", title="Lakme Lip Gloss 3", category_path="Beauty > Lips")
    make_product("SHOE", title="Nike Black Running Shoe", category_path="Footwear > Shoes")
    make_product("KURTA", title="Fabindia Women Green Kurta", category_path="Apparel > Kurtas")
    embed_stale(encoder)
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)
    stated, sure, unsure = (
        snapshot.titles.index(title)
        for title in ("Revlon Red Lip Gloss 5", "Revlon Lip Gloss 12", "Lakme Lip Gloss 3")
    )
    # What the photo classifier would read of the listings: sure of one gloss, unsure of another.
    shown = {sure: 0.9, unsure: 0.2}
    asked = []

    def predicted_colour(wanted, rows):
        asked.append(sorted(rows.tolist()))
        return np.array([shown.get(i, 0.0) for i in rows], dtype=np.float32)

    lists = one_list(
        snapshot, TextQuery("red lip gloss"), encoder, PhotoReaders(colour_chance=predicted_colour)
    )
    found = lists.candidates[0].tolist()
    gains = {i: lists.gains[0, found.index(i)] for i in (stated, sure, unsure)}
    colours = {i: lists.title_match[0, found.index(i), 1] for i in (stated, sure, unsure)}
    # Only the listings that state no colour are read from their photos.
    assert asked == [sorted([sure, unsure])]
    assert colours == pytest.approx({stated: 1, sure: 0.9, unsure: 0.2})
    # A gloss in no stated colour is worth the kind with the chance that it is red.
    assert gains == pytest.approx({stated: 2, sure: 1.9, unsure: 1.2})


def test_a_refined_photo_query_asks_for_its_kind_in_a_colour_the_catalogue_has(
    make_product, encoder
):
    make_product("RED-1", title="Nike Men Red Tshirt")
    for n in range(3):
        make_product(f"BLACK-{n}", title=f"Puma Men Black Tshirt {n}")
    make_product("GREEN", title="Puma Men Green Tshirt")  # too few green ones to ask for
    make_product("BELT", title="Fastrack Men Black Belt")
    embed_stale(encoder)
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)
    red = snapshot.titles.index("Nike Men Red Tshirt")

    lists = refined_photo_query_lists(
        snapshot,
        snapshot.text,  # stands in for the mapped photos
        [red],
        plays_sparse=np.zeros(len(snapshot), dtype=bool),
        encode_texts=encoder.encode_texts,
        keyword_ranks=lambda queries, rows: np.zeros(rows.shape, dtype=np.float32),
        rng=random.Random(0),
    )
    assert len(lists) == 1 and np.allclose(lists.query_photo[0], snapshot.text[red])
    gains = {
        snapshot.titles[row]: gain
        for row, gain in zip(lists.candidates[0], lists.gains[0], strict=True)
        if row >= 0
    }
    assert red not in lists.candidates[0]  # a photo does not find itself
    assert {title for title, gain in gains.items() if gain == 2} == {
        f"Puma Men Black Tshirt {n}" for n in range(3)
    }
    assert gains["Puma Men Green Tshirt"] == 1 and gains["Fastrack Men Black Belt"] == 0
    # The words ask for black: the black products' titles say so.
    colours = dict(zip(lists.candidates[0].tolist(), lists.title_match[0, :, 1], strict=True))
    assert colours[snapshot.titles.index("Puma Men Black Tshirt 0")] == 1
