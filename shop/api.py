"""The shopper's REST API: the wishlist of the signed-in account (a session with its CSRF
token, or an API token), as the wishlist page and the save buttons change it. Writes count
against the same rate limit as the pages'."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import CheckedCursorPagination
from core.throttling import AnonThrottle, UserThrottle, WishlistThrottle
from shop.models import WishlistItem
from shop.selectors import wishlist_items
from shop.serializers import WishlistAddSerializer, WishlistItemSerializer
from shop.services import wishlist as wishlists

WISHLIST_THROTTLES = [AnonThrottle, UserThrottle, WishlistThrottle]


class LastSavedFirst(CheckedCursorPagination):
    ordering = ("-added_at", "-id")
    page_size = 24
    max_page_size = 100


class WishlistView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WISHLIST_THROTTLES
    serializer_class = WishlistItemSerializer
    pagination_class = LastSavedFirst
    error_statuses = (404,)  # a product id of no product on sale

    def get_queryset(self) -> QuerySet[WishlistItem]:
        return wishlist_items(self.request.user)

    @extend_schema(
        summary="Your wishlist",
        description="Your saved products that are on sale, last saved first.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=WishlistAddSerializer,
        responses={201: WishlistItemSerializer, 200: WishlistItemSerializer},
        summary="Save a product to your wishlist",
        description="201 when it is saved now, 200 when it was saved already.",
    )
    def post(self, request: Request) -> Response:
        params = WishlistAddSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        product = params.validated_data["product"]
        created = wishlists.save_to_wishlist(request.user, product)
        item = self.get_queryset().get(product=product)
        return Response(
            self.get_serializer(item).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class WishlistItemView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WISHLIST_THROTTLES

    @extend_schema(responses={204: None}, summary="Remove a product from your wishlist")
    def delete(self, request: Request, product_id: int) -> Response:
        if not wishlists.remove_from_wishlist(request.user, product_id):
            raise NotFound("This product is not on your wishlist.")
        return Response(status=status.HTTP_204_NO_CONTENT)
