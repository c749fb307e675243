"""What an account's email addresses say (django-allauth's EmailAddress rows)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser


def has_verified_email(user: AbstractBaseUser) -> bool:
    """Whether the account has proved, by a link we mailed, that an address is its own."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def email_to_verify(user: AbstractBaseUser) -> EmailAddress | None:
    """The address a verification link goes to: the primary one, else the newest; None when
    the account has none."""
    return EmailAddress.objects.filter(user=user).order_by("-primary", "-pk").first()
