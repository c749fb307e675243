"""A URL whose view fails outside DRF, for the JSON 500 test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view broke")


urlpatterns = [path("api/broken/", broken)]
