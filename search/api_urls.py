from django.urls import path

from search.api import SearchEventView, SearchView, SuggestView

app_name = "search_api"

urlpatterns = [
    path("", SearchView.as_view(), name="search"),
    path("events/", SearchEventView.as_view(), name="events"),
    path("suggest/", SuggestView.as_view(), name="suggest"),
]
