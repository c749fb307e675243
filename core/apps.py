from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from core.database import check_database_features

        connection_created.connect(check_database_features, dispatch_uid="core.check_database")
