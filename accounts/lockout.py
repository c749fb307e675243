"""The account a login names, as django-axes counts wrong passwords: one count per account,
however it is named (username or email, in any letter case), at the site's login, the admin's
and the API's token endpoint."""

from allauth.account.utils import filter_users_by_email, filter_users_by_username
from django.http import HttpRequest


def login_name(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the username of the account the login names, or, for none, the
    name as typed, lowercased (an unknown name is still counted, once)."""
    fields = credentials or getattr(request, "data", None) or request.POST
    typed = (fields.get("username") or fields.get("email") or fields.get("login") or "").strip()
    if not typed:
        return ""
    users = filter_users_by_email(typed) if "@" in typed else []
    users = users or list(filter_users_by_username(typed))
    if len(users) == 1:
        return users[0].get_username()
    return typed.lower()
