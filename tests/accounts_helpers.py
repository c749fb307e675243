"""Accounts as tests need them: a shopper whose email is verified, as a pay-on-delivery order
requires (shop.services.checkout)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser


def verified_shopper(username: str, email: str, password: str | None = None) -> AbstractBaseUser:
    user = get_user_model().objects.create_user(username, email, password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user
