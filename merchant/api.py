"""The merchant API: each merchant's own products and their photos (the dashboard's twin),
with search's indexing state, and their search analytics. Writes go through catalog.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from catalog import services
from catalog.models import Merchant, Product, ProductImage
from catalog.serializers import ImageSerializer
from core.api_errors import error_body, validation_error_body
from core.pagination import CheckedCursorPagination
from merchant.serializers import (
    BULK_ITEM_STATUSES,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    ImageMoveSerializer,
    MerchantProductSerializer,
    MerchantProductUploadSerializer,
    PhotosUploadSerializer,
    SearchAnalyticsParamsSerializer,
    SearchAnalyticsSerializer,
    SkuTaken,
    variant_specs,
)
from search.analytics import search_analytics
from search.selectors import with_index_state

SKU_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


class BySku(CheckedCursorPagination):
    ordering = "sku"  # unique per merchant: a stable cursor while products change
    page_size = 50
    max_page_size = 200


class VersionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class IsMerchant(permissions.BasePermission):
    message = "The merchant API is for merchant accounts."

    def has_permission(self, request: Request, view) -> bool:
        return hasattr(request.user, "merchant")


class MerchantAPIView(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, IsMerchant]

    @property
    def merchant(self) -> Merchant:
        return self.request.user.merchant

    def own_product(self, sku: str) -> Product:
        # Another merchant's SKU is a 404: nothing tells it exists.
        return get_object_or_404(Product, merchant=self.merchant, sku=sku)


@extend_schema_view(
    list=extend_schema(
        summary="Your products, by SKU",
        parameters=[OpenApiParameter("status", enum=Product.Status.values)],
    ),
    create=extend_schema(
        summary="Create a product",
        request={
            "application/json": MerchantProductSerializer,
            "multipart/form-data": MerchantProductUploadSerializer,
        },
    ),
    update=extend_schema(
        summary="Replace a product",
        request={
            "application/json": MerchantProductSerializer,
            "multipart/form-data": MerchantProductUploadSerializer,
        },
    ),
    partial_update=extend_schema(
        summary="Change some of a product's fields",
        request={
            "application/json": MerchantProductSerializer,
            "multipart/form-data": MerchantProductUploadSerializer,
        },
    ),
    retrieve=extend_schema(summary="One of your products"),
    destroy=extend_schema(summary="Delete a product and its photos"),
)
class MerchantProductViewSet(MerchantAPIView, viewsets.ModelViewSet):
    """The merchant's products, addressed by SKU. Photos may come with a multipart create or
    update (`photos`, repeated); the images endpoint adds, reorders and deletes them."""

    lookup_field = "sku"
    lookup_value_regex = SKU_PATTERN
    pagination_class = BySku
    conflict_methods = ("POST", "PUT", "PATCH")  # a stale version, or a SKU taken
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Product]:
        products = with_index_state(self.merchant.products.select_related("category"))
        products = products.prefetch_related("images", "variants")
        if self.action == "list" and "status" in self.request.query_params:
            wanted = self.request.query_params["status"]
            if wanted not in Product.Status.values:
                raise serializers.ValidationError(
                    {"status": [f"Choose one of {', '.join(Product.Status.values)}."]}
                )
            products = products.filter(status=wanted)
        return products

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.request is not None and self.request.content_type.startswith("multipart/"):
            return MerchantProductUploadSerializer
        return MerchantProductSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "merchant": self.merchant}

    def perform_create(self, serializer: MerchantProductSerializer) -> None:
        self._save(Product(merchant=self.merchant), serializer)

    def perform_update(self, serializer: MerchantProductSerializer) -> None:
        self._save(serializer.instance, serializer)

    def perform_destroy(self, product: Product) -> None:
        services.delete_product(product)

    def _save(self, product: Product, serializer: MerchantProductSerializer) -> None:
        fields = dict(serializer.validated_data)
        photos = fields.pop("photos", [])
        expected_version = fields.pop("version", None)  # a new product has none to check
        category_path = _pop_category_path(fields)
        variants = variant_specs(fields.pop("variants", None))
        for name, value in fields.items():
            setattr(product, name, value)
        try:
            services.save_product(
                product,
                photos=photos,
                category_path=category_path,
                # An update writes only the fields sent: never a stock count read before a sale.
                fields=list(fields) if product.pk else None,
                expected_version=expected_version if product.pk else None,
                variants=variants,
            )
        except services.ProductConflict as conflict:
            raise VersionConflict(conflict.messages[0]) from None
        except IntegrityError:
            # Another request took the SKU between the check and the write.
            raise SkuTaken() from None
        serializer.instance = self.get_queryset().get(pk=product.pk)


class BulkUpsertView(MerchantAPIView):
    serializer_class = BulkUpsertSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        request=BulkUpsertSerializer,
        responses=BulkUpsertResultSerializer,
        summary="Create or update up to 500 products by SKU",
        description=(
            "Each item is checked and written on its own, in its own transaction: an item is "
            "created, updated, left unchanged, or rejected with the reason, and a rejected item "
            "changes nothing. An item that sends the `version` it read is rejected (`conflict`) "
            "if the product changed since. Photos are not part of a bulk upsert: send them to "
            "the images endpoint, or with a multipart create."
        ),
    )
    def post(self, request: Request) -> Response:
        batch = BulkUpsertSerializer(data=request.data, context={"request": request})
        batch.is_valid(raise_exception=True)
        results = []
        seen: dict[str, int] = {}
        for index, fields in enumerate(batch.validated_data["products"]):
            results.append({"index": index, **self._upsert(fields, index, seen)})
        counts = dict.fromkeys(BULK_ITEM_STATUSES, 0)
        for result in results:
            counts[result["status"]] += 1
        return Response({**counts, "results": results})

    def _upsert(self, fields: dict, index: int, seen: dict[str, int]) -> dict:
        """Writes one checked item in its own transaction, or says why it is rejected."""
        sku = fields.pop("sku")
        if sku in seen:
            error = error_body("duplicate_sku", f"sku {sku} is also item {seen[sku]}: skipped.")
            return {"sku": sku, "status": "rejected", **error}
        seen[sku] = index
        try:
            outcome = services.upsert_product(
                self.merchant,
                sku,
                fields,
                category_path=_pop_category_path(fields),
                expected_version=fields.pop("version", None),
                variants=variant_specs(fields.pop("variants", None)),
            )
        except DjangoValidationError as error:
            return {"sku": sku, "status": "rejected", **_validation_error(error)}
        except DatabaseError:
            message = "The product could not be saved (a concurrent change?); send it again."
            return {"sku": sku, "status": "rejected", **error_body("conflict", message)}
        return {"sku": sku, "status": str(outcome)}


def _pop_category_path(fields: dict) -> str | None:
    """The category path to set ("" clears it), or None to leave the category as it is."""
    if "category" not in fields:
        return None
    return fields.pop("category") or ""


def _validation_error(error: DjangoValidationError) -> dict:
    """A rejected item's reason, in the shape of every API error."""
    return validation_error_body(as_serializer_error(error))


# A product's photos


class ProductImagesView(MerchantAPIView):
    serializer_class = ImageSerializer
    pagination_class = None
    parser_classes = [MultiPartParser]  # photos come as files

    def images(self, product: Product) -> Response:
        data = ImageSerializer(product.images.all(), many=True, context={"request": self.request})
        return Response(data.data)

    @extend_schema(summary="A product's photos, main photo first")
    def get(self, request: Request, sku: str) -> Response:
        return self.images(self.own_product(sku))

    @extend_schema(
        request={"multipart/form-data": PhotosUploadSerializer},
        responses={201: ImageSerializer(many=True)},
        summary="Add photos (multipart, `photos` repeated); answers all the product's photos",
    )
    def post(self, request: Request, sku: str) -> Response:
        product = self.own_product(sku)
        upload = PhotosUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        services.add_product_photos(product, upload.validated_data["photos"])
        response = self.images(product)
        response.status_code = status.HTTP_201_CREATED
        return response


class ProductImageView(MerchantAPIView):
    serializer_class = ImageSerializer

    def own_image(self, sku: str, image_id: int) -> ProductImage:
        return get_object_or_404(ProductImage, pk=image_id, product=self.own_product(sku))

    @extend_schema(
        request=ImageMoveSerializer,
        responses=ImageSerializer(many=True),
        summary="Move a photo (0: the main photo); answers all the product's photos in order",
    )
    def patch(self, request: Request, sku: str, image_id: int) -> Response:
        image = self.own_image(sku, image_id)
        move = ImageMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        services.move_product_image(image, move.validated_data["position"])
        images = image.product.images.all()
        return Response(ImageSerializer(images, many=True, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete a photo")
    def delete(self, request: Request, sku: str, image_id: int) -> Response:
        services.delete_product_image(self.own_image(sku, image_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Search analytics


class SearchAnalyticsView(MerchantAPIView):
    serializer_class = SearchAnalyticsSerializer
    pagination_class = None

    @extend_schema(
        parameters=[SearchAnalyticsParamsSerializer],
        summary="How search showed your products, and the shop's zero-result queries",
        description=(
            "The dashboard's search analytics: the searches whose first page showed your "
            "products, per query and per day, the clicks on them from those queries, and the "
            "queries of the whole shop that found nothing."
        ),
    )
    def get(self, request: Request) -> Response:
        params = SearchAnalyticsParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        analytics = search_analytics(self.merchant.products.all(), params.validated_data["days"])
        return Response(SearchAnalyticsSerializer(analytics).data)
