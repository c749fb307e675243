"""Search's periodic tasks (Celery beat), on the default queue."""

from celery import shared_task

from search import services


@shared_task(name="search.tasks.delete_old_search_logs")
def delete_old_search_logs() -> int:
    """Daily: the search logs past their retention."""
    return services.delete_old_search_logs()
