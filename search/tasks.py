"""Search's tasks: the periodic ones (Celery beat) on the default queue, and the learning of
the catalogue's vocabulary on the `embed` queue (it reads words with the text encoder)."""

from celery import shared_task

from search import catalogue_vocabulary, services, vector_indexes


@shared_task(name="search.tasks.delete_old_search_logs")
def delete_old_search_logs() -> int:
    """Daily: the search logs past their retention."""
    return services.delete_old_search_logs()


@shared_task(name="search.tasks.sync_category_indexes")
def sync_category_indexes() -> dict[str, list[str]]:
    """Hourly: build the HNSW indexes of categories that have grown to need their own, drop
    those of categories that no longer do (search.vector_indexes)."""
    changes = vector_indexes.sync_category_indexes()
    return {"built": [index.name for index in changes.built], "dropped": changes.dropped}


@shared_task(name=catalogue_vocabulary.LEARN_TASK)
def learn_catalogue_vocabulary(asked_version: int, asked_at: float) -> bool:
    """Asked for by a change of the catalogue: its vocabulary, learned once for every process
    (search.catalogue_vocabulary.learn_for_every_process). Returns whether it learned."""
    from search.ml.encoders import EncoderUnavailable, get_encoder  # torch: where models run
    from search.word_vectors import encoder_relatedness

    try:
        relatedness = encoder_relatedness(get_encoder())
    except EncoderUnavailable:  # processes that have the encoder learn their own meanwhile
        relatedness = None
    return catalogue_vocabulary.learn_for_every_process(asked_version, asked_at, relatedness)
