"""The search REST API: GET with a text query, POST with a photo (and/or text); both open to
anonymous clients, as a search changes nothing, and rate-limited (per address when anonymous,
higher per account; photo searches more tightly), as the search page is. And the products that
look like a given one.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import listed_products
from core.throttling import SEARCH_THROTTLES, AnonThrottle, UserThrottle
from search import result_tokens
from search.filters import Filters
from search.models import SearchLog
from search.selectors import SearchQuery, SearchUnavailable, search, similar_products
from search.serializers import (
    FacetsSerializer,
    HitSerializer,
    PhotoSearchParamsSerializer,
    SearchEventResultSerializer,
    SearchEventSerializer,
    SearchParamsSerializer,
    SearchResultsSerializer,
    SimilarParamsSerializer,
    SimilarProductsSerializer,
    SuggestionSerializer,
    SuggestionsSerializer,
    SuggestParamsSerializer,
)
from search.services import log_search, log_search_event
from search.suggestions import suggest


class ServiceUnavailable(APIException):
    status_code = 503
    default_code = "search_unavailable"


class SearchView(APIView):
    # An anonymous POST needs no CSRF token (only a logged-in session's does).
    permission_classes = [AllowAny]
    throttle_classes = SEARCH_THROTTLES
    # An unknown category (404); a photo alone while the search model cannot load (503).
    error_statuses = (404, 503)

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
        # A multipart body is a photo search; JSON and urlencoded bodies carry words.
        multipart = request.content_type.startswith("multipart/")
        params = PhotoSearchParamsSerializer if multipart else SearchParamsSerializer
        return self._search(request, params(data=request.data))

    def _search(self, request: Request, params: SearchParamsSerializer) -> Response:
        params.is_valid(raise_exception=True)
        query = _query(params.validated_data)
        try:
            found = search(query)
        except SearchUnavailable as unavailable:
            raise ServiceUnavailable(str(unavailable)) from unavailable
        hits = HitSerializer(found.hits, many=True, context={"request": request})
        related = HitSerializer(found.related, many=True, context={"request": request})
        shown = result_tokens.shown(request, params.validated_data.get("q", ""), found)
        log_search(shown, found, query.filters, SearchLog.Source.API)
        return Response(
            {
                "count": found.count,
                "corrected_query": found.words.corrected or None,
                "added_terms": list(found.words.added),
                "results": hits.data,
                "related": related.data,
                "facets": FacetsSerializer(found.facets).data if found.facets else None,
                "took_ms": found.took_ms,
                "token": result_tokens.sign(shown),
                "notice": found.notice or None,
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
            options=(data["option"],) if data.get("option") else (),
            colour=data.get("colour", ""),
        ),
        limit=data["limit"],
        offset=data["offset"],
        exact=data["exact"],
        sort=data["sort"],
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


class AnonSearchEventThrottle(AnonThrottle):
    scope = "search_event_anon"


class UserSearchEventThrottle(UserThrottle):
    scope = "search_event_user"


class SearchEventView(APIView):
    """A shopper acted on a search result (the match head trains on these): it counts with the
    token of the answer that showed it, from the searcher it was shown to, once."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonSearchEventThrottle, UserSearchEventThrottle]
    error_statuses = (403, 404)  # no valid token that showed the product; the product gone

    @extend_schema(
        request=SearchEventSerializer,
        responses=SearchEventResultSerializer,
        summary="Report a click or an add to cart on a search result",
    )
    def post(self, request: Request) -> Response:
        event = SearchEventSerializer(data=request.data)
        event.is_valid(raise_exception=True)
        product_id = event.validated_data["product"]
        # A well-formed event without the proof is refused (403), not malformed (400).
        try:
            shown = result_tokens.read(event.validated_data["token"], request)
        except result_tokens.InvalidResultToken as error:
            raise PermissionDenied(str(error), code="invalid_token") from error
        if product_id not in shown.product_ids:
            raise PermissionDenied(
                "That search answer did not show this product.", code="not_shown"
            )
        product = get_object_or_404(listed_products(), pk=product_id)
        counted = log_search_event(shown, product, event.validated_data["action"])
        return Response({"counted": counted})


class AnonSuggestThrottle(AnonThrottle):
    scope = "suggest_anon"


class UserSuggestThrottle(UserThrottle):
    scope = "suggest_user"


class SuggestView(APIView):
    """What a shopper may be typing, while they type: limits of its own, which typing never
    meets, so that suggesting never costs a shopper a search."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonSuggestThrottle, UserSuggestThrottle]

    @extend_schema(
        parameters=[SuggestParamsSerializer],
        responses=SuggestionsSerializer,
        summary="Suggestions for the words typed so far",
    )
    def get(self, request: Request) -> Response:
        params = SuggestParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = suggest(params.validated_data["q"])
        response = Response({"suggestions": SuggestionSerializer(found, many=True).data})
        # The same letters get the same answer for a while: browsers need not ask again.
        response["Cache-Control"] = "public, max-age=60"
        return response
