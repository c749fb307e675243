from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Workers"

    def ready(self) -> None:
        from catalog.signals import products_changed
        from search.signals import photo_map_activated
        from workers import signal_handlers

        products_changed.connect(
            signal_handlers.embed_changed_products, dispatch_uid="workers.embed_changed"
        )
        photo_map_activated.connect(
            signal_handlers.remap_photos_of_activated_model, dispatch_uid="workers.remap_photos"
        )
