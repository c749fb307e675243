"""Sign-up: a shopper account, logged in at once (which merges the session's cart)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.throttling import SignUpThrottle, throttled
from shop.forms import SignUpForm
from shop.services.accounts import register_shopper
from shop.views.common import safe_next


@throttled(SignUpThrottle)
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = register_shopper(
            form.cleaned_data["username"],
            form.cleaned_data["email"],
            form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}: your account is ready.")
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})
