"""Shop's side of the accounts' signals."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from shop.services.cart import merge_at_login


def merge_cart_at_login(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs
) -> None:
    # A login without a request (the test client's force_login has one; scripts may not).
    if request is not None and hasattr(request, "session"):
        merge_at_login(user, request.session)
