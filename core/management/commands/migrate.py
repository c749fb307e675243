"""`manage.py migrate` as the database's owner (the "owner" alias unless `--database` names
another), which then grants the site's own role its rights on the tables: the site and its
workers never hold the right to change the schema (core.database_roles)."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import DatabaseError, connections, transaction

from core.database_roles import OWNER_ALIAS, grant_application_rights


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the database's owner (the 'owner' database)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database=OWNER_ALIAS)

    def handle(self, *args, **options) -> None:
        super().handle(*args, **options)
        self.grant_to_application_role(options["database"], options["verbosity"])

    def grant_to_application_role(self, database: str, verbosity: int) -> None:
        role = settings.DATABASE_APPLICATION_ROLE
        with transaction.atomic(using=database), connections[database].cursor() as cursor:
            cursor.execute("SELECT current_user")
            if not role or cursor.fetchone()[0] == role:
                return  # the site connects as the owner itself: nothing to grant
            try:
                grant_application_rights(cursor, role)
            except DatabaseError as error:
                raise CommandError(
                    f"The migrations ran, but the site's role {role!r} (DATABASE_URL's user) "
                    f"could not be granted its rights: {error}"
                ) from error
        if verbosity >= 1:
            self.stdout.write(f"Granted the role {role!r} its rights on every table.")
