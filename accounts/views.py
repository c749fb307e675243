"""The one account page of the site's own: send the verification link again (the others are
django-allauth's, with the site's templates)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.selectors import email_to_verify, has_verified_email
from core.throttling import VerificationMailThrottle, throttled


@require_POST
@login_required
@throttled(VerificationMailThrottle)
def send_verification(request: HttpRequest) -> HttpResponse:
    address = None if has_verified_email(request.user) else email_to_verify(request.user)
    if address is None:
        messages.info(request, "There is no address to verify: it is verified, or not given.")
    else:
        address.send_confirmation(request)
        messages.success(
            request,
            f"We sent a link to {address.email}: open it to verify your address. "
            "It may take a minute to arrive; look in your spam folder too.",
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "account_email"
    return redirect(target)
