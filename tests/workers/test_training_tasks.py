import json
import time

import pytest

from core.broker import redis_client
from search.ml import trained
from search.models import ProductIndex
from vitrine.celery import app
from workers import training
from workers.routing import TRAIN_QUEUE


def queued_trainings() -> list[dict]:
    """The training messages waiting in the real broker's train queue."""
    messages = [json.loads(raw) for raw in redis_client().lrange(TRAIN_QUEUE, 0, -1)]
    return [
        message["headers"]
        for message in messages
        if message["headers"]["task"] == training.train_search_model.name
    ]


@pytest.fixture(autouse=True)
def no_training_queued():
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(TRAIN_QUEUE)
    redis_client().delete(training._QUEUED_KEY, training._LOCK_KEY)
    yield
    redis_client().delete(training._QUEUED_KEY, training._LOCK_KEY)


def test_every_schedule_queues_one_training_while_one_waits(db, make_product):
    make_product("A")
    ProductIndex.objects.update(encoder_version="v1", dirty=False)  # embedded, no model yet

    assert training.retrain_when_catalogue_changed() is True
    assert training.retrain_when_catalogue_changed() is False
    assert training.retrain_nightly() is False
    assert len(queued_trainings()) == 1


def test_a_model_waiting_for_its_photo_vectors_has_its_training_resumed(db, make_product):
    make_product("A")
    ProductIndex.objects.update(encoder_version="v1", dirty=False)
    trained.activate(trained.new_version())  # trained since: the catalogue has not changed
    assert training.retrain_when_catalogue_changed() is False

    trained.set_next(trained.new_version())  # a training stopped while re-embedding photos
    assert training.retrain_when_catalogue_changed() is True
    assert len(queued_trainings()) == 1


def test_a_finished_training_lets_the_next_one_be_queued(db, encoder):
    assert training.queue_training() is True
    assert training.train_search_model() is None  # an empty catalogue: nothing to learn
    assert training.queue_training() is True
    assert len(queued_trainings()) == 2


def test_a_training_that_finds_the_lock_held_comes_back_when_it_lapses(db):
    # The lock of a worker killed mid-training: its message returns (acks_late) and must not
    # be dropped, or no model is trained until the queued mark expires.
    redis_client().set(training._LOCK_KEY, "a dead worker's token", ex=training.LOCK_SECONDS)
    training.queue_training()

    assert training.train_search_model() is None
    retried = queued_trainings()
    assert len(retried) == 2 and sum(1 for headers in retried if headers["eta"]) == 1
    assert redis_client().exists(training._QUEUED_KEY)


def test_a_running_training_keeps_its_lock_however_long_it_takes():
    lock = redis_client().lock("vitrine:test-lock", timeout=1, thread_local=False)
    assert lock.acquire(blocking=False)
    with training.renewed(lock, every=0.2):
        time.sleep(1.5)
        assert lock.owned()
    lock.release()
