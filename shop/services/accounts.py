"""Shopper accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser


def register_shopper(username: str, email: str, password: str) -> AbstractBaseUser:
    """A new shopper account; the sign-up form has checked the name is free and the password
    strong enough."""
    return get_user_model().objects.create_user(username=username, email=email, password=password)
