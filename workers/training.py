"""Training tasks: the search model is retrained nightly, and sooner when the catalogue has
changed by more than RETRAIN_SHARE since the active model was trained.

Training runs on the `embed` queue (it encodes pseudo-queries with the models); one at a time.
"""

import logging

from celery import shared_task

from core.broker import redis_client
from search.ml import trained
from search.models import ProductIndex

logger = logging.getLogger(__name__)

TRAIN_TASK = "workers.training.train_search_model"
RETRAIN_SHARE = 0.10
_LOCK_KEY = "vitrine:training"
_LOCK_SECONDS = 2 * 3600


@shared_task(name=TRAIN_TASK, acks_late=True)
def train_search_model() -> str | None:
    """Train and activate a search model; returns its version (None when one is in training
    already, or the catalogue is too small)."""
    from search.ml.encoders import get_encoder  # torch: only where model work runs
    from search.ml.training import NotEnoughData, train_search

    lock = redis_client().lock(_LOCK_KEY, timeout=_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        logger.info("A search model is in training already.")
        return None
    try:
        return train_search(get_encoder()).version
    except NotEnoughData as error:
        logger.info("No training: %s", error)
        return None
    finally:
        lock.release()


@shared_task(name="workers.training.retrain_when_catalogue_changed")
def retrain_when_catalogue_changed() -> bool:
    """Beat, hourly: queue training when the share of products embedded since the active model
    was trained passes RETRAIN_SHARE (or there is no model yet). Returns whether it queued."""
    model_version = trained.active_version()
    rows = ProductIndex.objects.exclude(encoder_version="").filter(dirty=False)
    total = rows.count()
    if model_version is None:
        changed = total
    else:
        changed = rows.filter(indexed_at__gt=trained.trained_at(model_version)).count()
    if total == 0 or changed / total <= RETRAIN_SHARE:
        return False
    logger.info("%d of %d products changed since the last training: retraining.", changed, total)
    train_search_model.delay()
    return True
