"""Re-mapping the stored photos after a new photo map is activated (search.ml.remapping): a
chain of tasks on the `default` queue, one bounded batch each, that the sweeper restarts when
it is lost.

Why `default`: a batch loads no encoder, only the stored vectors and the active model's map (a
small network, in the model that search processes load anyway), and its time goes to the
database's writes, not to a GPU. `embed` is kept for the model work that new listings wait
for, and `train` for trainings, one at a time and minutes long. A batch holds a `default`
worker for seconds (search.ml.remapping.BATCH_SIZE), so the emails and sweeps queued there
wait at most that long.

Each task re-maps one batch past its `after` (keyset over product_id), commits, and queues the
next. A pass that wrote rows is followed by a pass from the start that verifies none is left
(rows that an embedding worker wrote with the previous model while the first pass went by);
a pass that writes nothing marks the model done. Redis holds two marks:
  - RUNNING, the version whose chain is alive, renewed by each batch; it lapses
    VITRINE_SWEEP_AFTER_SECONDS after the last one when a message is lost (Redis down, a
    worker killed), and the sweeper then starts the chain again;
  - DONE, the version whose photos are all mapped: the sweeper's check reads no table.
"""

import logging

from celery import current_app, shared_task
from django.conf import settings

from core.broker import redis_client
from search.db import vacuum_search_index
from search.ml import remapping, trained

logger = logging.getLogger(__name__)

REMAP_TASK = "workers.remapping.remap_photos"
_RUNNING_KEY = "vitrine:photo-remapping:running"
_DONE_KEY = "vitrine:photo-remapping:done"


def request_remapping(version: str) -> None:
    """Start re-mapping the photos with the map of `version` (just activated). Never fails the
    caller: with Redis down, the sweeper starts it once Redis is back."""
    try:
        redis_client().delete(_DONE_KEY)  # until a pass finds nothing left
        _mark_running(version)
        _queue(version)
    except Exception as error:  # Redis or the broker is down
        logger.warning("Could not queue the photos' re-mapping (%s); the sweeper will.", error)


@shared_task(name=REMAP_TASK)
def remap_photos(version: str, after: int = 0, pass_wrote: bool = False) -> int | None:
    """Re-map one batch with the map of `version` and queue the next; returns the rows written
    (None: `version` is not the active model any more, or its photos are all mapped)."""
    client = redis_client()
    if client.get(_DONE_KEY) == version.encode():  # a message back after the chain ended
        return None
    batch = remapping.remap_batch(version, after)
    if batch is None:
        logger.info("Search model %s is no longer active: its re-mapping stops.", version)
        return None
    _mark_running(version)
    if batch.written:
        _queue(version, batch.last_product_id, pass_wrote=True)
    elif pass_wrote:
        # A pass ended: clear the index entries of the replaced vectors, then verify.
        vacuum_search_index()
        _queue(version)
    else:
        client.set(_DONE_KEY, version)
        logger.info("Every photo is mapped by search model %s.", version)
    return batch.written


@shared_task(name="workers.remapping.sweep_unmapped_photos")
def sweep_unmapped_photos() -> bool:
    """Beat, every minute: start the active model's re-mapping again when it is not done and
    no chain of it has run for VITRINE_SWEEP_AFTER_SECONDS. Returns whether it did."""
    version = trained.active_version()
    client = redis_client()
    if version is None or client.get(_DONE_KEY) == version.encode():
        return False
    if not client.set(_RUNNING_KEY, version, nx=True, ex=settings.VITRINE_SWEEP_AFTER_SECONDS):
        return False  # a chain is alive
    logger.info("Starting the photos' re-mapping with search model %s again.", version)
    _queue(version)
    return True


def _mark_running(version: str) -> None:
    redis_client().set(_RUNNING_KEY, version, ex=settings.VITRINE_SWEEP_AFTER_SECONDS)


def _queue(version: str, after: int = 0, *, pass_wrote: bool = False) -> None:
    current_app.send_task(REMAP_TASK, args=[version, after, pass_wrote], retry=False)
