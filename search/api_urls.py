from django.urls import path

from search.api import SearchView

app_name = "search_api"

urlpatterns = [path("", SearchView.as_view(), name="search")]
