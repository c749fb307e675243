from datetime import timedelta

from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.utils import timezone

from shop.tasks import clear_expired_sessions
from vitrine.celery import app
from workers.tasks import ping


def test_a_real_worker_answers_through_redis():
    with start_worker(app, queues=["default"], perform_ping_check=False, pool="solo"):
        assert ping.delay().get(timeout=30)["pong"] is True


def test_model_work_is_routed_to_the_embed_queue():
    route = app.amqp.router.route({}, "workers.embedding.embed_batch")
    assert route["queue"].name == "embed"
    assert app.amqp.router.route({}, "workers.ping")["queue"].name == "default"
    # Training has a queue of its own, so that it never holds up the embedding of new listings.
    training = app.amqp.router.route({}, "workers.training.train_search_model")
    assert training["queue"].name == "train"
    sweeper = "workers.embedding.sweep_stale_products"
    assert app.amqp.router.route({}, sweeper)["queue"].name == "default"
    assert app.conf.beat_schedule["sweep-stale-products"] == {"task": sweeper, "schedule": 60}
    # Re-mapping photos loads no encoder: the default queue, and swept every minute too.
    assert app.amqp.router.route({}, "workers.remapping.remap_photos")["queue"].name == "default"
    remapping_sweeper = "workers.remapping.sweep_unmapped_photos"
    assert app.amqp.router.route({}, remapping_sweeper)["queue"].name == "default"
    assert app.conf.beat_schedule["sweep-unmapped-photos"] == {
        "task": remapping_sweeper,
        "schedule": 60,
    }


def test_tasks_are_acknowledged_late_so_a_killed_worker_loses_nothing():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_beat_clears_expired_sessions_daily(db):
    assert app.conf.beat_schedule["clear-expired-sessions"]["task"] == clear_expired_sessions.name
    past, future = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    Session.objects.create(session_key="old", session_data="", expire_date=past)
    Session.objects.create(session_key="new", session_data="", expire_date=future)
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
