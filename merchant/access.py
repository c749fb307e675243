"""Who may use the merchant pages: a signed-in account with a merchant profile."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from catalog.models import Merchant


def merchant_required(view: Callable) -> Callable:
    """Logged in, with a merchant profile (403 otherwise); sets request.merchant."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        merchant = Merchant.objects.filter(user=request.user).first()
        if merchant is None:
            raise PermissionDenied("The dashboard is for merchant accounts.")
        request.merchant = merchant
        return view(request, *args, **kwargs)

    return wrapper
