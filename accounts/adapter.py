"""django-allauth's hooks, the site's way: the client's address as every limit reads it, links
to the configured site, and emails through a Celery task."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.http import HttpRequest

from accounts import tasks
from core.throttling import client_address


def site_url(url: str) -> str:
    """The address on VITRINE_SITE_URL: a link in an email never follows the Host a request
    claimed (a reset link poisoned by a forged Host would hand its key to another site)."""
    parts = urlsplit(url)
    return settings.VITRINE_SITE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return site_url(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return site_url(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered here, sent by a worker once the request's changes commit: a slow or
        failing mail server neither holds the page nor loses the email (it is retried)."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            message.body if message.content_subtype == "html" else None,
        )
        fields = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "html": html,
        }
        # Robust: a broker that cannot be reached is logged, and the account's change stands.
        transaction.on_commit(lambda: tasks.send_account_email.delay(**fields), robust=True)
