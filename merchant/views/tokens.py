"""The merchant's API tokens: list them, create a named one (its token shown once), revoke."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from merchant import selectors, services
from merchant.access import merchant_required
from merchant.forms import ApiTokenForm


# The page may carry a new token: no cache, here or on the way, may keep it.
@never_cache
@merchant_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    created = plain_token = None
    if request.method == "POST" and form.is_valid():
        try:
            created, plain_token = services.create_api_token(
                request.merchant, form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": selectors.live_api_tokens(request.merchant),
        "created": created,
        "plain_token": plain_token,
        "ttl_days": settings.VITRINE_API_TOKEN_TTL_DAYS,
    }
    return render(request, "merchant/api_tokens.html", context)


@require_POST
@merchant_required
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    name = services.revoke_api_token(request.merchant, token_key)
    if name is None:
        # Another merchant's token is not found either.
        raise Http404("No such token.")
    messages.success(request, f"Revoked the token “{name}”: it no longer opens the API.")
    return redirect("merchant:api_tokens")
