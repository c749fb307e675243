"""The account pages: django-allauth's, with sign-up under the site's own limit, and the
verification link sent again."""

from allauth.account import views as allauth_views
from django.urls import include, path

from accounts import views
from core.throttling import SignUpThrottle, throttled

urlpatterns = [
    # Accounts asked for, per address, counted with the site's other limits (VITRINE_RATE_SIGNUP).
    path("signup/", throttled(SignUpThrottle)(allauth_views.signup), name="account_signup"),
    path("email/verify/", views.send_verification, name="account_send_verification"),
    # The names the site used before allauth, kept for links and LOGIN_URL.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("", include("allauth.urls")),
]
