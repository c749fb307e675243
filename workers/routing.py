"""Celery queues: `embed` is for hosts with a GPU (model work), `default` for the rest."""

from kombu import Queue

DEFAULT_QUEUE = "default"
EMBED_QUEUE = "embed"

TASK_QUEUES = (Queue(DEFAULT_QUEUE), Queue(EMBED_QUEUE))
# Model work goes to `embed`; everything else stays on `default`.
TASK_ROUTES = {
    "workers.embedding.embed_*": {"queue": EMBED_QUEUE},
    "workers.training.train_search_model": {"queue": EMBED_QUEUE},
}
