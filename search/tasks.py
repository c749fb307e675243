"""Search's periodic tasks (Celery beat), on the default queue."""

from celery import shared_task

from search import services, vector_indexes


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
