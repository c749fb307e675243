"""The shopper's REST API: what the shopper's pages do, for the signed-in account (a session
with its CSRF token, or an API token): the wishlist, the cart, checkout, and the shopper's own
orders. Each calls the services the pages call, and writes count against the same rate limits
as the pages'. A service's refusal (out of stock, one currency a cart, pay on delivery before
the email is verified...) is a 400 with its code."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ErrorDetail, NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import idempotency
from core.pagination import CheckedCursorPagination
from core.throttling import (
    AnonThrottle,
    CartThrottle,
    OrderThrottle,
    UserThrottle,
    WishlistThrottle,
)
from shop.models import CartLine, Order, WishlistItem
from shop.selectors import cart_line, cart_lines, cart_total, shopper_orders, wishlist_items
from shop.serializers import (
    CartLineAddSerializer,
    CartLineQuantitySerializer,
    CartSerializer,
    ChangedLineSerializer,
    CheckoutResultSerializer,
    CheckoutSerializer,
    OrderSerializer,
    WishlistAddSerializer,
    WishlistItemSerializer,
)
from shop.services import cart as carts
from shop.services import orders as order_services
from shop.services import wishlist as wishlists
from shop.services.checkout import (
    CheckoutKeyReused,
    place_order,
    place_order_once,
)
from shop.services.checkout_keys import CHECKOUT_KEY_LIFETIME

WISHLIST_THROTTLES = [AnonThrottle, UserThrottle, WishlistThrottle]
CART_THROTTLES = [AnonThrottle, UserThrottle, CartThrottle]
ORDER_THROTTLES = [AnonThrottle, UserThrottle, OrderThrottle]


class SignedIn:
    """A shopper's own things: for a signed-in account only."""

    permission_classes = [IsAuthenticated]


# Wishlist


class LastSavedFirst(CheckedCursorPagination):
    ordering = ("-added_at", "-id")
    page_size = 24
    max_page_size = 100


class WishlistView(SignedIn, generics.ListAPIView):
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


class WishlistItemView(SignedIn, APIView):
    throttle_classes = WISHLIST_THROTTLES

    @extend_schema(responses={204: None}, summary="Remove a product from your wishlist")
    def delete(self, request: Request, product_id: int) -> Response:
        if not wishlists.remove_from_wishlist(request.user, product_id):
            raise NotFound("This product is not on your wishlist.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# Cart


class CartView(SignedIn, APIView):
    throttle_classes = CART_THROTTLES

    @extend_schema(
        responses=CartSerializer,
        summary="Your cart",
        description="Its lines at today's prices, and their total.",
    )
    def get(self, request: Request) -> Response:
        lines = cart_lines(carts.current_cart(request.user, request.session))
        answer = CartSerializer({"lines": lines, **cart_total(lines)}, context={"request": request})
        return Response(answer.data)


class CartLinesView(SignedIn, APIView):
    throttle_classes = CART_THROTTLES
    error_statuses = (404,)  # a product id of no product on sale, a variant id of none

    @extend_schema(
        request=CartLineAddSerializer,
        responses={201: ChangedLineSerializer, 200: ChangedLineSerializer},
        summary="Add a product to your cart",
        description=(
            "201 with the new line, or 200 with the line of this product (or variant) that "
            "your cart held, its quantity raised. The line never holds more than the stock, nor "
            "more units than one order may take: `limited_from` then says what you asked for. "
            "Refused (400) for a product sold out (`out_of_stock`) or with its price on "
            "request (`price_on_request`), in another currency than your cart's "
            "(`mixed_currencies`), or with variants when none is chosen (`choose_variant`)."
        ),
    )
    def post(self, request: Request) -> Response:
        params = CartLineAddSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        cart = carts.current_cart(request.user, request.session, create=True)
        change = carts.add_to_cart(cart, data["product"], data["quantity"], data["variant"])
        return Response(
            ChangedLineSerializer(change, context={"request": request}).data,
            status=status.HTTP_201_CREATED if change.created else status.HTTP_200_OK,
        )


class CartLineView(SignedIn, APIView):
    throttle_classes = CART_THROTTLES

    @extend_schema(
        request=CartLineQuantitySerializer,
        responses=ChangedLineSerializer,
        summary="Change a line's quantity",
        description=(
            "Up to the stock and the units one order may take (`limited_from` then says what "
            "you asked for); a product taken off sale or sold out meanwhile is refused (400)."
        ),
    )
    def patch(self, request: Request, line_id: int) -> Response:
        line = self._own_line(request, line_id)
        params = CartLineQuantitySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        change = carts.set_quantity(line, params.validated_data["quantity"])
        return Response(ChangedLineSerializer(change, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Remove a line from your cart")
    def delete(self, request: Request, line_id: int) -> Response:
        carts.remove_line(self._own_line(request, line_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _own_line(self, request: Request, line_id: int) -> CartLine:
        # Another shopper's line is a 404, as if it did not exist.
        line = cart_line(carts.current_cart(request.user, request.session), line_id)
        if line is None:
            raise NotFound("There is no such line in your cart.")
        return line


# Checkout


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_reused"


class CheckoutView(SignedIn, APIView):
    throttle_classes = ORDER_THROTTLES
    parser_classes = [JSONParser]
    conflict_methods = ("POST",)  # an Idempotency-Key sent with another request before

    @extend_schema(
        request=CheckoutSerializer,
        responses={201: CheckoutResultSerializer},
        parameters=[
            idempotency.key_parameter("201 with the orders the first request placed"),
            idempotency.replayed_header(),
        ],
        summary="Place orders from your cart",
        description=(
            "One order for each merchant in your cart, at the prices you were shown, in one "
            "transaction: the stock is taken and the cart emptied, or nothing changes. Refused "
            "(400, with every reason in `message`) for an empty cart (`empty_cart`), a line "
            "sold out or short of stock (`out_of_stock`, `short_stock`), a price changed since "
            "shown (`price_changed`), too many orders awaiting payment on delivery "
            "(`too_many_unpaid_orders`), and pay on delivery until your account has a verified "
            "email address (`email_unverified`). Send an `Idempotency-Key` so that a retry "
            "(a lost answer, a timeout) never places orders twice: a retry with the key, for "
            f"at least {CHECKOUT_KEY_LIFETIME.days * 24} hours, answers the orders it placed."
        ),
    )
    def post(self, request: Request) -> Response:
        key = idempotency.idempotency_key(request)
        params = CheckoutSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        cart = carts.current_cart(request.user, request.session, create=True)
        checkout = {
            "email": params.validated_data["email"],
            "address": params.address(),
            "payment_method_code": params.validated_data["payment_method"],
            "shown_prices": params.shown_prices_of(list(cart.lines.all())),
        }
        try:
            if key is None:
                orders, placed_now = place_order(cart, request.user, **checkout), True
            else:
                orders, placed_now = place_order_once(
                    cart,
                    request.user,
                    key=key,
                    request_hash=idempotency.request_hash(request.data),
                    **checkout,
                )
        except CheckoutKeyReused as error:
            raise IdempotencyKeyReused(error.messages[0]) from None
        except DjangoValidationError as error:
            raise _every_reason(error) from None
        placed = shopper_orders(request.user).filter(pk__in=[order.pk for order in orders])
        answer = CheckoutResultSerializer(
            {"orders": placed.order_by("merchant_id").prefetch_related("lines")},
            context={"request": request},
        )
        response = Response(answer.data, status=status.HTTP_201_CREATED)
        if not placed_now:
            response[idempotency.REPLAYED_HEADER] = "true"
        return response


def _every_reason(error: DjangoValidationError) -> ValidationError:
    """A refused checkout's reasons in one message, as the checkout page lists them all, under
    the first reason's code."""
    return ValidationError(ErrorDetail(" ".join(error.messages), code=error.error_list[0].code))


# Orders


class NewestFirst(CheckedCursorPagination):
    ordering = ("-placed_at", "-id")
    page_size = 20
    max_page_size = 100


class OwnOrders(SignedIn):
    throttle_classes = ORDER_THROTTLES
    serializer_class = OrderSerializer
    lookup_field = "number"

    def get_queryset(self) -> QuerySet[Order]:
        # Another shopper's order is a 404, as if it did not exist.
        return shopper_orders(self.request.user).prefetch_related("lines")


class OrderListView(OwnOrders, generics.ListAPIView):
    pagination_class = NewestFirst

    @extend_schema(summary="Your orders", description="Newest first.")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class OrderDetailView(OwnOrders, generics.RetrieveAPIView):
    @extend_schema(summary="One of your orders")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class OrderCancelView(OwnOrders, generics.GenericAPIView):
    @extend_schema(
        request=None,
        responses=OrderSerializer,
        summary="Cancel one of your orders",
        description=(
            "Until it ships (`can_cancel`): the stock goes back and you are emailed. An order "
            "shipped, delivered or cancelled already is refused (400, `bad_transition`)."
        ),
    )
    def post(self, request: Request, number: str) -> Response:
        order_services.cancel(self.get_object())
        return Response(self.get_serializer(self.get_object()).data)
