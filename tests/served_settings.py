"""Settings of a site that a test serves in a process of its own (runserver): production's
(debug off, the connection pool), but with static files found in the apps' folders instead of
collected, as in development, because collectstatic takes some 20 seconds."""

from vitrine.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
