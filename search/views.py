from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.keyword import MAX_QUERY_LENGTH, keyword_search

RESULTS_PER_PAGE = 24


def search_page(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page = None
    if query:
        page = Paginator(keyword_search(query), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "search/results.html", {"query": query, "page": page})
