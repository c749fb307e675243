from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from catalog.models import Product
        from catalog.signals import products_changed
        from search import schema, signal_handlers

        products_changed.connect(
            signal_handlers.mark_products_stale, dispatch_uid="search.mark_stale"
        )
        products_changed.connect(
            signal_handlers.note_catalogue_change, dispatch_uid="search.catalogue_changed"
        )
        # Deletions, by whatever path (a merchant's account deleted takes its products along).
        post_delete.connect(
            signal_handlers.note_catalogue_change,
            sender=Product,
            dispatch_uid="search.catalogue_deleted_from",
        )
        post_migrate.connect(schema.resize_vectors_after_migrate, sender=self)
