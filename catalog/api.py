"""The public catalogue's REST API: products and categories, for anyone."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category, Product
from catalog.selectors import listed_products
from catalog.serializers import (
    CategoryNodeSerializer,
    ProductFilterSerializer,
    PublicProductSerializer,
)
from core.pagination import CheckedCursorPagination


class NewestFirst(CheckedCursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 24
    max_page_size = 100


@extend_schema_view(
    list=extend_schema(parameters=[ProductFilterSerializer], summary="Active products"),
    retrieve=extend_schema(summary="An active product"),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Active products, newest first."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PublicProductSerializer
    pagination_class = NewestFirst
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Product]:
        return listed_products().select_related("merchant").prefetch_related("variants")

    def filter_queryset(self, queryset: QuerySet[Product]) -> QuerySet[Product]:
        if self.action != "list":
            return queryset
        params = ProductFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        if filters.get("category") is not None:
            queryset = queryset.filter(category__in=filters["category"].subtree())
        if filters.get("min_price") is not None:
            queryset = queryset.filter(price__gte=filters["min_price"])
        if filters.get("max_price") is not None:
            queryset = queryset.filter(price__lte=filters["max_price"])
        if filters["in_stock"]:
            queryset = queryset.filter(stock__gt=0)
        return queryset


class CategoryTreeView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=CategoryNodeSerializer(many=True), summary="The category tree, from its roots"
    )
    def get(self, request: Request) -> Response:
        categories = list(Category.objects.order_by("path"))
        for category in categories:
            category.child_nodes = []
        by_id = {category.pk: category for category in categories}
        roots = []
        for category in categories:
            parent = by_id.get(category.parent_id)
            (parent.child_nodes if parent else roots).append(category)
        return Response(CategoryNodeSerializer(roots, many=True, context={"request": request}).data)
