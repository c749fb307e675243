"""The live catalogue's vocabulary: learned once per change for every process (a worker's task,
debounced), shared through the real cache (Redis), and learned by a process itself where none
is shared. Processes are CatalogueVocabulary instances, as each web process holds one."""

import base64
import gc
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from catalog import services
from catalog.models import Product
from core.broker import redis_client
from core.sampling import UniformSample
from search import catalogue_version, tasks
from search import catalogue_vocabulary as shared_vocabulary
from search.catalogue_vocabulary import CatalogueVocabulary
from search.ml.words import words
from search.query_words import understand
from search.word_vectors import encoder_relatedness
from tests.catalog.test_import_catalog import write_csv
from vitrine.celery import app
from workers.routing import EMBED_QUEUE


def queued_learnings() -> list[list]:
    """The arguments of each learning waiting in the real broker's embed queue."""
    messages = [json.loads(raw) for raw in redis_client().lrange(EMBED_QUEUE, 0, -1)]
    return [
        json.loads(base64.b64decode(message["body"]))[0]
        for message in messages
        if message["headers"]["task"] == shared_vocabulary.LEARN_TASK
    ]


def take_queued_learning() -> list:
    """The one learning queued, taken off the queue, as a worker takes it."""
    [arguments] = queued_learnings()
    purge_embed_queue()
    return arguments


def purge_embed_queue() -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(EMBED_QUEUE)


@pytest.fixture(autouse=True)
def no_learning_queued():
    """No learning left queued by another test, nor its claim in the cache."""
    purge_embed_queue()
    redis_client().delete(shared_vocabulary._LEARNING_KEY)
    yield
    purge_embed_queue()


def add(make_product, sku: str, title: str, category: str = "Home > Lighting") -> Product:
    return make_product(sku, title=title, photos=[], category_path=category)


@pytest.mark.django_db(transaction=True)  # the version moves when a change commits
def test_each_change_to_what_the_vocabulary_reads_moves_the_catalogue_version_once(
    make_product, merchant, other_merchant, tmp_path
):
    def moves(change) -> int:
        before = catalogue_version.current()
        change()
        return catalogue_version.current() - before

    lamp = Product(merchant=merchant, sku="LAMP", title="Brass lamp", status="active", price=9)
    assert moves(lambda: services.save_product(lamp, category_path="Home > Lighting")) == 1
    lamp.title = "Brass desk lamp"
    assert moves(lambda: services.save_product(lamp, fields=["title"])) == 1
    lamp.status = Product.Status.DRAFT
    assert moves(lambda: services.save_product(lamp, fields=["status"])) == 1
    assert moves(lambda: services.save_product(lamp, category_path="Home > Lamps")) == 1

    lighting = lamp.category
    lighting.name = "Lights"
    assert moves(lambda: services.save_category(lighting)) == 1  # its products' path words
    lighting.parent = services.category_from_path("Decor")
    assert moves(lambda: services.save_category(lighting)) == 1

    catalogue = write_csv(
        tmp_path / "catalog.csv",
        [
            [f"IMP-{n}", f"Linen cushion {n}", "", "Home > Cushions", "", "5", "", "1"]
            for n in "123"
        ],
    )
    assert moves(lambda: call_command("import_catalog", str(catalogue), stdout=StringIO())) == 1
    assert Product.objects.filter(sku__startswith="IMP-").count() == 3  # one batch, one move

    assert moves(lambda: services.set_stock(lamp, 3)) == 0  # no word of it changed
    assert moves(lambda: services.delete_product(lamp)) == 1
    for n in range(3):
        make_product(f"BOB-{n}", owner=other_merchant, title="Velvet sofa", photos=[])
    # A merchant's account deleted takes its products along: one transaction, one move.
    assert moves(other_merchant.user.delete) == 1
    assert not Product.objects.filter(sku__startswith="BOB-").exists()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_gives_one_learning_which_another_process_loads_without_learning(
    make_product, encoder, django_assert_num_queries
):
    for n in range(5):  # five commits, as a merchant's edits or an import's batches
        add(make_product, f"LAMP-{n}", f"Brass desk lamp {n}")
    version = catalogue_version.current()
    assert len(queued_learnings()) == 1  # not one a change

    # Taken while the catalogue still changes, it waits for it to be quiet, queued again.
    asked_version, asked_at = take_queued_learning()
    assert asked_version < version
    assert tasks.learn_catalogue_vocabulary(asked_version, asked_at) is False
    assert take_queued_learning() == [version, asked_at]
    assert tasks.learn_catalogue_vocabulary(version, asked_at) is True  # quiet: learned
    assert queued_learnings() == []

    process = CatalogueVocabulary()
    with django_assert_num_queries(0):  # loaded from the cache, not learned
        vocabulary = process.get(encoder_relatedness(encoder))
    assert vocabulary.knows("lamp") and vocabulary.products == 5


@pytest.mark.django_db(transaction=True)
def test_a_process_with_none_that_finds_none_current_shared_learns_it_itself_and_shares_it(
    make_product, settings, django_assert_num_queries
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = True  # with none at all, it still waits
    add(make_product, "LAMP", "Brass desk lamp")  # a learning is queued; no worker runs
    first = CatalogueVocabulary()
    assert first.get().knows("lamp")  # learned before answering: it had none

    second = CatalogueVocabulary()
    with django_assert_num_queries(0):
        assert second.get().knows("lamp")  # the one the first shared

    add(make_product, "SOFA", "Velvet sofa", "Furniture > Sofas")
    # Only an older one is shared: a process with none does not answer with it.
    assert CatalogueVocabulary().get().knows("sofa")
    # And the newer one it learned is shared: a process that has one loads it beside its
    # searches, reading no catalogue.
    with django_assert_num_queries(0):
        assert not second.get().knows("sofa")
    second.wait(timeout=60)
    with django_assert_num_queries(0):
        assert second.get().knows("sofa")


class PickledByOtherCode:
    """What another version of the code may have shared: it does not unpickle here."""

    def __reduce__(self):
        return (_unreadable, ())


def _unreadable():
    raise AttributeError("Vocabulary has no attribute 'postings_of_another_version'")


@pytest.mark.django_db(transaction=True)
def test_a_vocabulary_shared_by_other_code_is_learned_again_and_replaced(
    make_product, django_assert_num_queries
):
    add(make_product, "LAMP", "Brass desk lamp")
    key = shared_vocabulary._key(shared_vocabulary.WORDS_ONLY)
    version = catalogue_version.current()
    shared_vocabulary.cache.set(key, (version, PickledByOtherCode()), timeout=None)
    shared_vocabulary.cache.set(key + ":version", version, timeout=None)

    assert CatalogueVocabulary().get().knows("lamp")  # learned, not failed
    with django_assert_num_queries(0):
        assert CatalogueVocabulary().get().knows("lamp")  # and shared in its place


@pytest.mark.django_db(transaction=True)
def test_a_stale_vocabulary_serves_until_the_new_one_is_shared(
    make_product, settings, encoder, django_assert_num_queries
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = True
    relatedness = encoder_relatedness(encoder)
    add(make_product, "LAMP", "Brass desk lamp")
    assert tasks.learn_catalogue_vocabulary(*take_queued_learning()) is True
    serving = CatalogueVocabulary()
    first = serving.get(relatedness)

    add(make_product, "SOFA", "Velvet sofa", "Furniture > Sofas")  # a learning is queued
    with django_assert_num_queries(0):  # it reads no catalogue: the worker will
        assert serving.get(relatedness) is first

    assert tasks.learn_catalogue_vocabulary(*take_queued_learning()) is True
    serving.wait(timeout=60)  # a look that began before it was shared
    assert serving.get(relatedness) is first  # loaded beside the searches, then taken up
    serving.wait(timeout=60)
    current = serving.get(relatedness)
    assert current.knows("sofa")
    assert current.deletes is not None  # with its typo index: no search waits to build it
    # and left out of the garbage collector's full passes, which walk what get_objects() lists
    assert gc.is_tracked(current) and not any(held is current for held in gc.get_objects())


@pytest.mark.django_db(transaction=True)  # the learning thread reads through its own connection
def test_with_no_learning_under_way_a_process_learns_the_change_beside_its_searches(
    make_product, settings, django_assert_num_queries
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = True
    vocabularies = CatalogueVocabulary()
    add(make_product, "LAMP", "Brass desk lamp")
    first = vocabularies.get()
    assert first.knows("lamp") and not first.knows("sofa")

    add(make_product, "SOFA", "Velvet sofa", "Furniture > Sofas")
    # The learning it asked for lapsed untaken (no worker runs): the process learns it.
    redis_client().delete(shared_vocabulary._LEARNING_KEY)
    assert vocabularies.get() is first  # answered at once, with the words it had
    vocabularies.wait(timeout=60)
    assert vocabularies.get().knows("sofa")
    with django_assert_num_queries(0):
        assert CatalogueVocabulary().get().knows("sofa")  # and shared it


def test_without_background_learning_the_next_search_waits_for_the_new_words(
    make_product, settings
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = False
    vocabularies = CatalogueVocabulary()
    make_product("LAMP", title="Brass desk lamp", photos=[], category_path="Lighting > Lamps")
    assert not vocabularies.get().knows("sofa")
    make_product("SOFA", title="Velvet sofa", photos=[], category_path="Furniture > Sofas")
    assert vocabularies.get().knows("sofa")


def test_past_its_sample_a_learning_still_knows_every_word_of_the_catalogue(make_product, settings):
    settings.VITRINE_VOCABULARY_SAMPLE = 10
    for n in range(30):
        add(make_product, f"LAMP-{n}", f"Brass desk lamp model{chr(97 + n % 26)}x{n}")
    make_product("RUG", title="Kilim rug", photos=[], category_path="Home > Rugs")
    vocabulary = CatalogueVocabulary().get()

    assert vocabulary.products == 31
    assert max(len(rows) for rows in vocabulary.postings.values()) <= 10  # the sample's
    assert sum(vocabulary.kinds.values()) == 10
    # Every word, sampled or not: a rare real word is never "corrected" to another.
    for word in [
        "kilim",
        "rug",
        *words(" ".join(f"model{chr(97 + n % 26)}x{n}" for n in range(30))),
    ]:
        assert vocabulary.knows(word), word
    assert understand("kilim rug", vocabulary).corrections == {}
    assert vocabulary.frequency["lamp"] in range(25, 36)  # the sample's count, scaled


def test_the_sample_of_a_learning_draws_every_listing_alike_whatever_the_chunks():
    taken = np.zeros(1000)
    for seed in range(400):
        sample = UniformSample(100, seed=seed)
        items = list(range(1000))
        for start in range(0, 1000, 37):  # chunks that straddle the sample's filling
            sample.offer(items[start : start + 37])
        assert sample.offered == 1000 and len(set(sample.items)) == 100
        taken[sample.items] += 1
    shares = taken.reshape(10, 100).sum(axis=1) / (400 * 100)  # each tenth of the listings
    assert np.allclose(shares, 0.1, atol=0.01), shares
