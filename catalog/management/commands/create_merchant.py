import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import services


class Command(BaseCommand):
    help = "Create a user account with a merchant profile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", help="Asked for on the terminal when left out.")
        parser.add_argument("--name", default="", help="Shop name shown to shoppers.")

    def handle(self, username: str, password: str | None, name: str, **options) -> None:
        if password is None:
            password = getpass.getpass(f"Password for {username}: ")
        try:
            validate_password(password)
            merchant = services.create_merchant(username, password, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created merchant {merchant.user.username} ({merchant.name}).")
