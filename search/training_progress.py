"""Where a search model's training stands: its stage and percent, kept in Redis by whichever
process trains (the `train` worker, `manage.py train_search`) for the merchant dashboard."""

import json
import logging
from dataclasses import dataclass

import redis

from core.broker import redis_client

logger = logging.getLogger(__name__)

_KEY = "vitrine:training:progress"
# A training reports at every stage and every epoch of its match head; what a killed one left
# is gone after this long.
_EXPIRES_SECONDS = 30 * 60


@dataclass(frozen=True)
class TrainingProgress:
    stage: str
    percent: int


def record_training_progress(stage: str, done: float) -> None:
    """A search.ml.training Progress: the stage and the share of the training done."""
    state = {"stage": stage, "percent": round(100 * done)}
    try:
        redis_client().set(_KEY, json.dumps(state), ex=_EXPIRES_SECONDS)
    except redis.RedisError as error:  # the dashboard goes without; the training goes on
        logger.warning("Training progress not recorded: %s", error)


def clear_training_progress() -> None:
    try:
        redis_client().delete(_KEY)
    except redis.RedisError as error:
        logger.warning("Training progress not cleared: %s", error)


def training_progress() -> TrainingProgress | None:
    """The training under way, if any (None too when Redis cannot say)."""
    try:
        recorded = redis_client().get(_KEY)
    except redis.RedisError:
        return None
    return None if recorded is None else TrainingProgress(**json.loads(recorded))
