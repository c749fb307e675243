"""Django's PostgreSQL backend for the data dir's embedded server, which it starts on first use."""

from django.conf import settings
from django.db.backends.postgresql import base, client

from core.embedded import EmbeddedPostgres


def _socket_dir() -> str:
    server = EmbeddedPostgres(
        settings.VITRINE_DATA_DIR,
        max_connections=settings.VITRINE_EMBEDDED_DB_MAX_CONNECTIONS,
        shared_buffers=settings.VITRINE_EMBEDDED_DB_SHARED_BUFFERS,
    )
    return str(server.ensure_running())


class DatabaseClient(client.DatabaseClient):
    """`manage.py dbshell` on the embedded server."""

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict: dict, parameters: list) -> tuple:
        return super().settings_to_cmd_args_env(
            {**settings_dict, "HOST": _socket_dir()}, parameters
        )


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["host"] = _socket_dir()
        return params
