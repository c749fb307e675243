"""Embedding tasks (queue `embed`), their trigger on commit, and the stale-product sweeper.

A product change commits its index row as dirty, then asks for an embedding task. Tasks drain
the dirty rows in batches; a message lost on the way (Redis down, a worker killed) costs
nothing, because the sweeper asks again for rows that have stayed dirty too long.
"""

import logging
import time
from dataclasses import asdict
from datetime import timedelta

from celery import current_app, shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from core.broker import redis_client
from search import indexing
from search.models import ProductIndex
from workers.routing import EMBED_QUEUE

logger = logging.getLogger(__name__)

EMBED_TASK = "workers.embedding.embed_stale_products"
# One task drains for at most this long, then hands over to a fresh task.
DRAIN_SECONDS = 120
# While a task is queued and not yet started, further changes need not queue another.
_REQUESTED_KEY = "vitrine:embedding-requested"
_REQUEST_TTL_SECONDS = 60


def request_embedding() -> None:
    """Queue an embedding task unless one is already waiting. Never fails the caller: with
    Redis down the rows stay dirty and the sweeper queues them later."""
    try:
        if redis_client().set(_REQUESTED_KEY, 1, nx=True, ex=_REQUEST_TTL_SECONDS):
            current_app.send_task(EMBED_TASK, retry=False)
    except Exception as error:  # Redis or the broker is down
        logger.warning("Could not queue embedding (%s); the sweeper will catch up.", error)


@shared_task(
    name=EMBED_TASK,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
)
def embed_stale_products() -> dict:
    """Embed dirty rows, batch after batch, until none is left or time is up."""
    from search.ml.encoders import get_encoder  # torch: only where model work runs

    redis_client().delete(_REQUESTED_KEY)
    encoder = get_encoder()
    flag_other_versions_once(encoder.version)
    totals, finished = indexing.embed_stale(encoder, deadline=time.monotonic() + DRAIN_SECONDS)
    if not finished:
        request_embedding()
    return asdict(totals)


@shared_task(name="workers.embedding.sweep_stale_products")
def sweep_stale_products() -> bool:
    """Beat, every minute: queue embedding for rows left dirty too long. Returns whether it did."""
    cutoff = timezone.now() - timedelta(seconds=settings.VITRINE_SWEEP_AFTER_SECONDS)
    if not ProductIndex.objects.filter(dirty=True, changed_at__lt=cutoff).exists():
        return False
    request_embedding()
    return True


# The encoder versions whose start this process has done: the rows that another version
# embedded are flagged for re-embedding.
_versions_started: set[str] = set()


def flag_other_versions_once(version: str) -> None:
    """Once per process: flag the rows that another encoder version embedded."""
    if version in _versions_started:
        return
    stale = indexing.mark_other_versions_stale(version)
    _versions_started.add(version)
    if stale:
        logger.info("Encoder %s: %d rows to re-embed.", version, stale)


@worker_process_init.connect
def load_encoder_once(**kwargs) -> None:
    """Each process of an `embed` worker loads the models at start, not per task, and re-flags
    the rows that another encoder version embedded. With the database down, this process's
    embedding tasks (retried with backoff) do it once it answers: one is asked for now, as no
    row may be dirty to ask for one."""
    consumed = current_app.amqp.queues.consume_from
    if consumed is not None and EMBED_QUEUE not in consumed:
        return
    from search.ml.encoders import EncoderUnavailable, get_encoder

    try:
        encoder = get_encoder()
    except EncoderUnavailable:
        return  # logged; the tasks retry, and the rows wait, pending
    try:
        flag_other_versions_once(encoder.version)
    except DatabaseError as error:
        logger.warning(
            "Could not flag the rows of other encoder versions (%s); an embedding task will.", error
        )
        request_embedding()
