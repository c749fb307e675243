"""django-allauth's forms, worded for the site."""

from allauth.account.forms import LoginForm


class UsernameOrEmailLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        # Password managers fill what the account was saved under, which may be a username.
        self.fields["login"].widget.attrs["autocomplete"] = "username"
