from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from core.embedded import EmbeddedPostgres, EmbeddedRedis


class Command(BaseCommand):
    help = "Show or stop the embedded PostgreSQL and Redis of this data dir."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "stop"], nargs="?", default="status")

    def handle(self, action: str, **options) -> None:
        postgres = EmbeddedPostgres(settings.VITRINE_DATA_DIR)
        redis = EmbeddedRedis(settings.VITRINE_DATA_DIR)
        if action == "stop":
            self.stdout.write(f"PostgreSQL: {'stopped' if postgres.stop() else 'was not running'}")
            self.stdout.write(f"Redis: {'stopped' if redis.stop() else 'was not running'}")
            return
        socket_dir = postgres.socket_dir()
        self.stdout.write(f"Data dir: {settings.VITRINE_DATA_DIR}")
        self.stdout.write(
            f"PostgreSQL: {f'running, socket in {socket_dir}' if socket_dir else 'not running'}"
        )
        self.stdout.write(
            f"Redis: {f'running at {redis.url}' if redis.is_running() else 'not running'}"
        )
