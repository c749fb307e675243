"""Celery queues: `embed` and `train` are for hosts with a GPU (model work), `default` for the
rest. Training has a queue, and a worker, of its own: minutes of it must not hold up the
embedding of a merchant's new listings."""

from kombu import Queue

DEFAULT_QUEUE = "default"
EMBED_QUEUE = "embed"
TRAIN_QUEUE = "train"

TASK_QUEUES = (Queue(DEFAULT_QUEUE), Queue(EMBED_QUEUE), Queue(TRAIN_QUEUE))
# Model work goes to `embed` or `train`; everything else stays on `default`, re-mapping photos
# with a new photo map included: it loads no encoder (workers.remapping).
TASK_ROUTES = {
    "workers.embedding.embed_*": {"queue": EMBED_QUEUE},
    # The catalogue's vocabulary is learned with the text encoder's word vectors.
    "search.tasks.learn_catalogue_vocabulary": {"queue": EMBED_QUEUE},
    "workers.training.train_search_model": {"queue": TRAIN_QUEUE},
}
