"""The search REST API: GET with a text query, POST with a photo (and/or text); both anonymous,
as a search changes nothing."""

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search.retrieval import Filters
from search.serializers import HitSerializer, PhotoSearchParamsSerializer, SearchParamsSerializer
from search.service import SearchQuery, search


class SearchView(APIView):
    # No session authentication, so no CSRF check: token-less clients may POST a photo.
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return self._search(request, SearchParamsSerializer(data=request.query_params))

    def post(self, request: Request) -> Response:
        return self._search(request, PhotoSearchParamsSerializer(data=request.data))

    def _search(self, request: Request, params: SearchParamsSerializer) -> Response:
        params.is_valid(raise_exception=True)
        found = search(_query(params.validated_data))
        hits = HitSerializer(found.hits, many=True, context={"request": request})
        return Response({"count": found.count, "results": hits.data, "took_ms": found.took_ms})


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
    )
