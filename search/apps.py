from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from catalog.signals import products_changed
        from search import schema, signal_handlers

        products_changed.connect(
            signal_handlers.mark_products_stale, dispatch_uid="search.mark_stale"
        )
        post_migrate.connect(schema.resize_vectors_after_migrate, sender=self)
