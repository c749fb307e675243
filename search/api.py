"""The search REST API: GET with a text query, POST with a photo (and/or text); both open to
anonymous clients, as a search changes nothing, and rate-limited (per address when anonymous,
higher per account; photo searches more tightly), as the search page is. And the products that
look like a given one.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import listed_products
from core.throttling import SEARCH_THROTTLES
from search.retrieval import Filters
from search.selectors import SearchQuery, search, similar_products
from search.serializers import (
    HitSerializer,
    PhotoSearchParamsSerializer,
    SearchParamsSerializer,
    SearchResultsSerializer,
    SimilarParamsSerializer,
    SimilarProductsSerializer,
)


class SearchView(APIView):
    # An anonymous POST needs no CSRF token (only a logged-in session's does).
    permission_classes = [AllowAny]
    throttle_classes = SEARCH_THROTTLES

    @extend_schema(
        parameters=[SearchParamsSerializer],
        responses=SearchResultsSerializer,
        summary="Search by text",
    )
    def get(self, request: Request) -> Response:
        return self._search(request, SearchParamsSerializer(data=request.query_params))

    @extend_schema(
        request={
            "multipart/form-data": PhotoSearchParamsSerializer,
            "application/x-www-form-urlencoded": SearchParamsSerializer,
            "application/json": SearchParamsSerializer,
        },
        responses=SearchResultsSerializer,
        summary="Search by photo, text, or both",
    )
    def post(self, request: Request) -> Response:
        return self._search(request, PhotoSearchParamsSerializer(data=request.data))

    def _search(self, request: Request, params: SearchParamsSerializer) -> Response:
        params.is_valid(raise_exception=True)
        found = search(_query(params.validated_data))
        hits = HitSerializer(found.hits, many=True, context={"request": request})
        return Response(
            {
                "count": found.count,
                "corrected_query": found.words.corrected or None,
                "added_terms": list(found.words.added),
                "results": hits.data,
                "took_ms": found.took_ms,
            }
        )


def _query(data: dict) -> SearchQuery:
    return SearchQuery(
        text=data.get("q", ""),
        photo=data.get("image"),
        filters=Filters(
            category=data.get("category"),
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=data["in_stock"],
        ),
        limit=data["limit"],
        offset=data["offset"],
        exact=data["exact"],
    )


class SimilarProductsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SimilarParamsSerializer],
        responses=SimilarProductsSerializer,
        summary="Products that look like this one",
        operation_id="products_similar_retrieve",
    )
    def get(self, request: Request, pk: int) -> Response:
        product = get_object_or_404(listed_products(), pk=pk)
        params = SimilarParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = similar_products(product, limit=params.validated_data["limit"])
        data = HitSerializer(hits, many=True, context={"request": request}).data
        return Response({"results": data})
