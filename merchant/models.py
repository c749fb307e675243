"""A merchant's API tokens: knox's hashed, expiring tokens, each with the name its owner gave."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """Holds the token's digest, never the token; `token_key` is its first characters, for
    lookup and for its owner to tell tokens apart. Knox uses it (settings.KNOX_TOKEN_MODEL)."""

    name = models.CharField(max_length=100)
    # Set at most once a minute (merchant.auth), so a busy script doesn't write on each request.
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
