"""Training tasks: the search model is retrained nightly, and sooner when the catalogue has
changed by more than RETRAIN_SHARE since the active model was trained.

Training runs on the `train` queue, consumed by a worker of its own (it encodes pseudo-queries
with the models), one at a time, and at most one waits in the queue: every schedule goes
through `queue_training`. Without that, each hourly check queued one more training while the
first waited, and with `acks_late` every training killed by a restart came back: hundreds piled
up.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from redis.lock import Lock

from core.broker import redis_client
from search.ml import trained
from search.models import ProductIndex

logger = logging.getLogger(__name__)

RETRAIN_SHARE = 0.10
# Set while a training is queued or running; it expires in case the message is lost for good
# (a purged queue), so that a later schedule queues one again.
_QUEUED_KEY = "vitrine:training:queued"
_QUEUED_SECONDS = 12 * 3600
# Held while a training runs and renewed every LOCK_SECONDS / 5, so that the lock of a worker
# killed mid-training lapses within LOCK_SECONDS and its returning message can train.
_LOCK_KEY = "vitrine:training"
LOCK_SECONDS = 300


def queue_training() -> bool:
    """Queue a training unless one is queued or running already; returns whether it queued."""
    if not redis_client().set(_QUEUED_KEY, 1, nx=True, ex=_QUEUED_SECONDS):
        logger.info("A search model training is queued or running already.")
        return False
    try:
        train_search_model.delay()
    except Exception:
        redis_client().delete(_QUEUED_KEY)
        raise
    return True


@shared_task(name="workers.training.train_search_model", acks_late=True)
def train_search_model() -> str | None:
    """Train and activate a search model; returns its version (None when the catalogue is too
    small, or when another training holds the lock: then this one is queued again for when
    that lock has lapsed, as it does when its worker was killed)."""
    from search.ml.encoders import get_encoder  # torch: only where model work runs
    from search.ml.training import NotEnoughData, train_search
    from search.training_progress import clear_training_progress, record_training_progress

    lock = redis_client().lock(_LOCK_KEY, timeout=LOCK_SECONDS, blocking=False, thread_local=False)
    if not lock.acquire():
        logger.info("Another training holds the lock; trying again in %d s.", LOCK_SECONDS)
        train_search_model.apply_async(countdown=LOCK_SECONDS)
        return None
    try:
        with renewed(lock, every=LOCK_SECONDS / 5):
            return train_search(get_encoder(), progress=record_training_progress).version
    except NotEnoughData as error:
        logger.info("No training: %s", error)
        return None
    finally:
        clear_training_progress()
        redis_client().delete(_QUEUED_KEY)
        lock.release()


@shared_task(name="workers.training.retrain_nightly")
def retrain_nightly() -> bool:
    """Beat, nightly: queue a training (clicks logged since the last one count too)."""
    return queue_training()


@shared_task(name="workers.training.retrain_when_catalogue_changed")
def retrain_when_catalogue_changed() -> bool:
    """Beat, hourly: queue training when the share of products embedded since the active model
    was trained passes RETRAIN_SHARE (or there is no model yet), or when a model still waits
    for its photo vectors. Returns whether it queued."""
    if trained.next_version() is not None:
        # A model waits for its photo vectors (its training was interrupted): training resumes
        # that first.
        return queue_training()
    model_version = trained.active_version()
    rows = ProductIndex.objects.exclude(encoder_version="").filter(dirty=False)
    total = rows.count()
    if model_version is None:
        changed = total
    else:
        changed = rows.filter(indexed_at__gt=trained.trained_at(model_version)).count()
    if total == 0 or changed / total <= RETRAIN_SHARE:
        return False
    logger.info("%d of %d products changed since the last training.", changed, total)
    return queue_training()


@contextmanager
def renewed(lock: Lock, *, every: float) -> Iterator[None]:
    """Renew `lock` to its full timeout every `every` seconds while the block runs."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(every):
            lock.reacquire()

    renewer = threading.Thread(target=renew, name="training-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
