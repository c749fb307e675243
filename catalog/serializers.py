"""The catalogue API's representations: what goes out, and the checks on what comes in.

The writes themselves are catalog.services' (called by catalog.api), never a serializer's.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from catalog.images import check_uploads
from catalog.models import Category, Product, ProductImage
from search.models import ProductIndex
from shop.api_schema import ErrorDetailSerializer

MAX_BULK_ITEMS = 500
MAX_PHOTOS_PER_REQUEST = 10
BULK_ITEM_STATUSES = ["created", "updated", "unchanged", "rejected"]


def category_at_path(text: str) -> Category | None:
    """The category at a path such as "apparel/topwear" (any case, slashes around), None for an
    empty path; a ValidationError when there is no such category."""
    path = text.strip().strip("/").lower()
    if not path:
        return None
    category = Category.objects.filter(path=path).first()
    if category is None:
        raise serializers.ValidationError(
            f"There is no category {path!r}.", code="unknown_category"
        )
    return category


def absolute_url(serializer: serializers.Serializer, path: str) -> str:
    return serializer.context["request"].build_absolute_uri(path)


class RefuseUnknownFields:
    """A misspelt field ("prize") is an error, not silently ignored. Read-only fields may come
    back as they were read (a client sending a fetched listing back)."""

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


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "width", "height", "position"]

    def get_url(self, image: ProductImage) -> str:
        return absolute_url(self, image.image.url)


class IndexStateSerializer(serializers.Serializer):
    """The search index's view of a listing, as the dashboard shows it."""

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


class ProductFieldsSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """A merchant's listing: the fields a merchant writes, and what the API tells about it."""

    category = CategoryPathField(help_text='Path of names, e.g. "Apparel > Topwear".')
    url = serializers.SerializerMethodField(help_text="The listing's storefront page.")
    images = ImageSerializer(many=True, read_only=True)
    index = serializers.SerializerMethodField(help_text="Search indexing state.")

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "title",
            "description",
            "category",
            "price",
            "currency",
            "stock",
            "status",
            "url",
            "images",
            "index",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "currency": {"required": False, "help_text": "ISO 4217 code; default USD."},
            "price": {"help_text": "Null: price on request."},
        }

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


class MerchantProductSerializer(ProductFieldsSerializer):
    """Create, replace or change one listing; the SKU must be free among the merchant's."""

    def validate_sku(self, sku: str) -> str:
        taken = Product.objects.filter(merchant=self.context["merchant"], sku=sku)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                "You already have a listing with this SKU.", code="taken"
            )
        return sku


class PhotoUploadsField(serializers.ListField):
    """Photo files (repeat the multipart field for several), each checked by check_image."""

    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_PHOTOS_PER_REQUEST, **kwargs)

    def to_internal_value(self, data):
        return check_uploads(super().to_internal_value(data))


class MerchantProductUploadSerializer(MerchantProductSerializer):
    """The listing as a multipart form, with its photos."""

    photos = PhotoUploadsField(required=False, write_only=True)

    class Meta(MerchantProductSerializer.Meta):
        fields = [*MerchantProductSerializer.Meta.fields, "photos"]


class PhotosUploadSerializer(RefuseUnknownFields, serializers.Serializer):
    photos = PhotoUploadsField(min_length=1)


class ImageMoveSerializer(RefuseUnknownFields, serializers.Serializer):
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, help_text="0 makes it the main photo."
    )


class BulkItemSerializer(ProductFieldsSerializer):
    """One listing of a bulk upsert: the SKU, and the fields to set. A new listing needs a
    title; an existing one keeps the fields not given."""

    def validate(self, attrs: dict) -> dict:
        if "sku" not in attrs:
            raise serializers.ValidationError(
                {"sku": [ErrorDetail("This field is required.", code="required")]}
            )
        return attrs


@extend_schema_field(BulkItemSerializer(many=True))
class BulkItemsField(serializers.ListField):
    """The items as they came: each is checked on its own, so one bad item sinks no other."""

    child = serializers.DictField()

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=MAX_BULK_ITEMS, **kwargs)


class BulkUpsertSerializer(RefuseUnknownFields, serializers.Serializer):
    products = BulkItemsField(help_text=f"1 to {MAX_BULK_ITEMS} listings, upserted by SKU.")


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


class PublicProductSerializer(serializers.ModelSerializer):
    """A listing as shoppers see it."""

    category = serializers.CharField(source="category.full_name", allow_null=True, default=None)
    category_path = serializers.CharField(source="category.path", allow_null=True, default=None)
    in_stock = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    images = ImageSerializer(many=True, read_only=True)
    merchant = serializers.CharField(source="merchant.name")

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "title",
            "description",
            "category",
            "category_path",
            "price",
            "currency",
            "stock",
            "in_stock",
            "url",
            "images",
            "merchant",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_in_stock(self, product: Product) -> bool:
        return product.stock > 0

    def get_url(self, product: Product) -> str:
        return absolute_url(self, product.get_absolute_url())


class ProductFilterSerializer(serializers.Serializer):
    """The public product list's filters."""

    category = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text='A category path such as "apparel/topwear", with its descendants.',
    )
    min_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0
    )
    max_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0
    )
    in_stock = serializers.BooleanField(required=False, default=False)

    def validate_category(self, value: str) -> Category | None:
        return category_at_path(value)


class CategoryNodeSerializer(serializers.ModelSerializer):
    """A category with its subcategories, down the whole tree."""

    url = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "path", "full_name", "url", "children"]

    def get_url(self, category: Category) -> str:
        return absolute_url(self, category.get_absolute_url())

    def get_children(self, category: Category) -> list[dict]:
        return CategoryNodeSerializer(category.child_nodes, many=True, context=self.context).data


extend_schema_field(CategoryNodeSerializer(many=True))(CategoryNodeSerializer.get_children)
