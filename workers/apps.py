from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Workers"

    def ready(self) -> None:
        from catalog.signals import products_changed
        from workers import signal_handlers

        products_changed.connect(
            signal_handlers.embed_changed_products, dispatch_uid="workers.embed_changed"
        )
