"""The merchant API's representations: a merchant's products as they write them, with what
search makes of them, the checks on what comes in, and their search analytics.

The writes themselves are catalog.services' (called by merchant.api), never a serializer's.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.utils import html

from catalog.images import check_uploads
from catalog.models import (
    MERCHANT_FIELDS,
    Category,
    Product,
    validate_sku,
)
from catalog.serializers import (
    CurrencyField,
    ImageSerializer,
    OptionalPriceField,
    OptionsField,
    WholeInPartialUpdates,
    absolute_url,
)
from catalog.variants import VariantSpec
from core.api_input import JsonTypesChecked
from core.api_schema import ErrorDetailSerializer
from search.analytics import DEFAULT_PERIOD, PERIODS
from search.models import ProductIndex

MAX_BULK_ITEMS = 500
MAX_PHOTOS_PER_REQUEST = 10
BULK_ITEM_STATUSES = ["created", "updated", "unchanged", "rejected"]


class RefuseUnknownFields:
    """A misspelt field ("prize") is an error, not silently ignored. Read-only fields may come
    back as they were read (a client sending a fetched product back)."""

    refuses_unknown_fields = True  # the schema says so (core.api_schema)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [ErrorDetail("Unknown field.", code="unknown_field")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class RefuseBlankFormFields:
    """In a form, DRF takes an optional field sent empty as not sent at all (stock="" as the
    default stock): refused here, as the same empty value in JSON is, and as the schema says."""

    def to_internal_value(self, data):
        if html.is_html_input(data):
            blank = [
                name
                for name, field in self.fields.items()
                if data.get(name) == ""
                and not field.read_only
                and not field.allow_null
                and not getattr(field, "allow_blank", False)
            ]
            if blank:
                raise serializers.ValidationError(
                    {
                        name: [ErrorDetail("This field may not be blank.", code="blank")]
                        for name in blank
                    }
                )
        return super().to_internal_value(data)


class IndexStateSerializer(serializers.Serializer):
    """The search index's view of a product, as the dashboard shows it."""

    state = serializers.ChoiceField(choices=ProductIndex.State.choices)
    error = serializers.CharField(help_text="Why the last indexing was incomplete, if it was.")
    indexed_at = serializers.DateTimeField(allow_null=True)


class CategoryPathField(serializers.CharField):
    """A category as its path of names, "Apparel > Topwear"; missing levels are created on save,
    an empty path means no category."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def to_representation(self, category: Category) -> str:
        return category.full_name


class VariantSerializer(
    WholeInPartialUpdates, RefuseUnknownFields, JsonTypesChecked, serializers.Serializer
):
    """One variant of a product, as a merchant writes it."""

    whole_fields = ("sku", "options")
    sku = serializers.CharField(max_length=64, validators=[validate_sku])
    options = OptionsField(
        help_text='Its options in order, e.g. [{"name": "size", "value": "M"}]; every variant '
        "of a product has the same option names."
    )
    price = OptionalPriceField(help_text="None: the product's price.")
    stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, default=0)


def variant_specs(variants: list[dict] | None) -> list[VariantSpec] | None:
    """The checked `variants` of a request, for catalog.services (None: not sent)."""
    if variants is None:
        return None
    return [VariantSpec(**variant) for variant in variants]


class ProductFieldsSerializer(
    RefuseUnknownFields, RefuseBlankFormFields, JsonTypesChecked, serializers.ModelSerializer
):
    """A merchant's product: the fields a merchant writes, and what the API tells about it."""

    category = CategoryPathField(help_text='Path of names, e.g. "Apparel > Topwear".')
    currency = CurrencyField(required=False, help_text="ISO 4217 code; default USD.")
    price = OptionalPriceField(help_text="None: price on request.")
    url = serializers.SerializerMethodField(help_text="The product's storefront page.")
    images = ImageSerializer(many=True, read_only=True)
    variants = VariantSerializer(
        many=True,
        required=False,
        help_text=(
            "Sizes, colours or other options, each with its own SKU and stock. Sent, they "
            "replace the product's variants (matched by SKU; [] removes them all); a product "
            "with variants has their stock together, whatever `stock` says."
        ),
    )
    index = serializers.SerializerMethodField(help_text="Search indexing state.")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "Counts the product's changes (a sale's too). Send back the version you read: if "
            "the product changed since, nothing is written and the answer is 409."
        ),
    )

    class Meta:
        model = Product
        fields = [
            "id",
            *MERCHANT_FIELDS,
            "variants",
            "url",
            "images",
            "index",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_url(self, product: Product) -> str:
        return absolute_url(self, product.get_absolute_url())

    @extend_schema_field(IndexStateSerializer)
    def get_index(self, product: Product) -> dict:
        row = getattr(product, "search_index", None)
        return {
            "state": row.state if row else ProductIndex.State.PENDING,
            "error": row.error if row else "",
            "indexed_at": row.indexed_at if row else None,
        }


class SkuTaken(APIException):
    """The SKU names another of the merchant's products: a conflict with it, not a malformed
    request."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "taken"
    default_detail = "You already have a product with this SKU."


class MerchantProductSerializer(ProductFieldsSerializer):
    """Create, replace or change one product; the SKU must be free among the merchant's."""

    def validate_sku(self, sku: str) -> str:
        taken = Product.objects.filter(merchant=self.context["merchant"], sku=sku)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise SkuTaken()
        return sku


class PhotoUploadsField(serializers.ListField):
    """Photo files (repeat the multipart field for several), each checked by check_image."""

    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_PHOTOS_PER_REQUEST, **kwargs)

    def to_internal_value(self, data):
        return check_uploads(super().to_internal_value(data))


class MerchantProductUploadSerializer(MerchantProductSerializer):
    """The product as a multipart form, with its photos; its variants are sent as JSON."""

    photos = PhotoUploadsField(required=False, write_only=True)
    variants = None

    class Meta(MerchantProductSerializer.Meta):
        fields = [
            *(name for name in MerchantProductSerializer.Meta.fields if name != "variants"),
            "photos",
        ]


class PhotosUploadSerializer(RefuseUnknownFields, serializers.Serializer):
    photos = PhotoUploadsField(min_length=1)


class ImageMoveSerializer(RefuseUnknownFields, serializers.Serializer):
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, help_text="0 makes it the main photo."
    )


class BulkItemSerializer(ProductFieldsSerializer):
    """One product of a bulk upsert: the SKU, and the fields to set. A new product needs a
    title; an existing one keeps the fields not given."""

    class Meta(ProductFieldsSerializer.Meta):
        extra_kwargs = {
            "title": {"required": False, "help_text": "Needed for a new product."},
        }

    def validate(self, attrs: dict) -> dict:
        if "sku" not in attrs:
            raise serializers.ValidationError(
                {"sku": [ErrorDetail("This field is required.", code="required")]}
            )
        return attrs


@extend_schema_field(BulkItemSerializer(many=True))
class BulkItemsField(serializers.ListField):
    """The items, each checked against the item schema by BulkUpsertSerializer."""

    child = serializers.DictField()

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=MAX_BULK_ITEMS, **kwargs)


class BulkUpsertSerializer(RefuseUnknownFields, serializers.Serializer):
    """A batch is refused whole when any item breaks the schema (a field unknown, of the wrong
    type, too long): every such error is listed by its item's place, and nothing is written.
    What only writing can tell (a SKU twice, a stale version) rejects its item alone."""

    products = BulkItemsField(help_text=f"1 to {MAX_BULK_ITEMS} products, upserted by SKU.")

    def validate_products(self, items: list[dict]) -> list[dict]:
        checked, errors = [], {}
        for index, item in enumerate(items):
            item_serializer = BulkItemSerializer(data=item, partial=True, context=self.context)
            if item_serializer.is_valid():
                checked.append(dict(item_serializer.validated_data))
            else:
                errors[index] = item_serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return checked


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's place in `products`, from 0.")
    sku = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=BULK_ITEM_STATUSES)
    error = ErrorDetailSerializer(required=False, help_text="Why the item was rejected.")


class BulkUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


# Search analytics


class SearchAnalyticsParamsSerializer(serializers.Serializer):
    days = serializers.ChoiceField(
        choices=PERIODS, default=DEFAULT_PERIOD, help_text="The period: the last 7, 30 or 90 days."
    )


class QueryFiguresSerializer(serializers.Serializer):
    query = serializers.CharField(source="query_text", help_text='"" for a photo without words.')
    impressions = serializers.IntegerField(
        help_text="Searches whose first page showed one of your products or more."
    )
    clicks = serializers.IntegerField(
        help_text="Clicks on your products from this query, once per shopper and product."
    )
    click_through_rate = serializers.FloatField(allow_null=True)


class DayFiguresSerializer(serializers.Serializer):
    day = serializers.DateField()
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()


class ZeroResultQuerySerializer(serializers.Serializer):
    query = serializers.CharField(source="query_text")
    searches = serializers.IntegerField()


class SearchAnalyticsSerializer(serializers.Serializer):
    first_day = serializers.DateField(help_text="The period's first day (UTC); it ends today.")
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    click_through_rate = serializers.FloatField(allow_null=True, help_text="clicks / impressions")
    days = DayFiguresSerializer(many=True, help_text="Every day of the period, oldest first.")
    top_queries = QueryFiguresSerializer(many=True, help_text="Most impressions first.")
    zero_result_queries = ZeroResultQuerySerializer(
        many=True, help_text="The whole shop's queries that found nothing, most frequent first."
    )
