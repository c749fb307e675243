"""The public catalogue API's representations: what goes out, and the checks on its filters."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.utils import html

from catalog.currencies import ISO_4217_CODES, validate_currency
from catalog.models import (
    MAX_OPTIONS,
    OPTION_NAME_MAX_LENGTH,
    OPTION_VALUE_MAX_LENGTH,
    Category,
    Product,
    ProductImage,
    Variant,
)
from catalog.variants import normalise_options
from core.api_input import JsonTypesChecked, StrictBooleanField


def category_at_path(text: str) -> Category | None:
    """The category at a path such as "apparel/topwear" (any case, slashes around), None for an
    empty path. A path that names no category is a resource not found (404), as an unknown
    product's is: the request itself is well-formed."""
    path = text.strip().strip("/").lower()
    if not path:
        return None
    category = Category.objects.filter(path=path).first()
    if category is None:
        raise NotFound(f"There is no category {path!r}.", code="unknown_category")
    return category


class OptionalPriceField(serializers.DecimalField):
    """A price that may be absent: null, empty (as a blank form field sends it) or, in a form
    or query string, the word null (as OpenAPI clients write a null there) all mean none."""

    blank_means_null = True  # the schema's pattern admits the empty string (core.api_schema)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(allow_null=True, max_digits=12, decimal_places=2, min_value=0, **kwargs)

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return None if html.is_html_input(dictionary) and value == "null" else value

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and not data.strip():
            return None
        return super().run_validation(data)


@extend_schema_field({"type": "string", "enum": sorted(ISO_4217_CODES)})
class CurrencyField(serializers.CharField):
    """An ISO 4217 code; the schema lists them, so that clients know the valid ones."""

    def __init__(self, **kwargs):
        super().__init__(max_length=3, validators=[validate_currency], **kwargs)


def absolute_url(serializer: serializers.Serializer, path: str) -> str:
    return serializer.context["request"].build_absolute_uri(path)


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "width", "height", "position"]

    def get_url(self, image: ProductImage) -> str:
        return absolute_url(self, image.image.url)


class WholeInPartialUpdates:
    """A serializer mixin for a part of a resource (a variant, an option) that is whole even
    inside a partial update (a bulk item), where DRF skips every required field: those named
    in `whole_fields` are required all the same."""

    whole_fields: tuple[str, ...] = ()

    def validate(self, attrs: dict) -> dict:
        missing = [name for name in self.whole_fields if name not in attrs]
        if missing:
            required = ErrorDetail("This field is required.", code="required")
            raise serializers.ValidationError({name: [required] for name in missing})
        return super().validate(attrs)


class OptionSerializer(WholeInPartialUpdates, JsonTypesChecked, serializers.Serializer):
    """One of a variant's options: its name and value ("size", "M")."""

    whole_fields = ("name", "value")
    name = serializers.CharField(max_length=OPTION_NAME_MAX_LENGTH, help_text="size")
    value = serializers.CharField(max_length=OPTION_VALUE_MAX_LENGTH, help_text="M")


class OptionsField(serializers.ListField):
    """A variant's options: stored as a mapping ({"size": "M"}, catalog.models.Variant), written
    and read as a list of name and value pairs, in order."""

    child = OptionSerializer()

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 1)  # an order line's options as sold may be none
        super().__init__(max_length=MAX_OPTIONS, **kwargs)

    def to_internal_value(self, data) -> dict[str, str]:
        pairs = super().to_internal_value(data)
        self.run_validators(pairs)  # the number of pairs as sent, not as merged below
        options: dict[str, str] = {}
        try:
            for pair in pairs:
                # A pair given twice says nothing more; one name with two values is an error.
                [(name, value)] = normalise_options({pair["name"]: pair["value"]}).items()
                if options.setdefault(name, value) != value:
                    raise DjangoValidationError(
                        "The option %(name)s is given two values.", params={"name": name}
                    )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="bad_options") from None
        return options

    def to_representation(self, options: dict[str, str]) -> list[dict]:
        return [{"name": name, "value": value} for name, value in options.items()]


class PublicVariantSerializer(serializers.ModelSerializer):
    """One of a product's variants as shoppers see it, at the price it sells for."""

    options = OptionsField(read_only=True)
    price = serializers.DecimalField(
        source="unit_price", max_digits=12, decimal_places=2, allow_null=True, read_only=True
    )
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Variant
        fields = ["id", "sku", "options", "price", "stock", "in_stock"]
        read_only_fields = fields

    def get_in_stock(self, variant: Variant) -> bool:
        return variant.stock > 0


class PublicProductSerializer(serializers.ModelSerializer):
    """A product as shoppers see it; one with variants is bought as one of them, and its
    stock is theirs together."""

    category = serializers.CharField(source="category.full_name", allow_null=True, default=None)
    category_path = serializers.CharField(source="category.path", allow_null=True, default=None)
    in_stock = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    images = ImageSerializer(many=True, read_only=True)
    variants = PublicVariantSerializer(many=True, read_only=True)
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
            "variants",
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
    min_price = OptionalPriceField()
    max_price = OptionalPriceField()
    in_stock = StrictBooleanField(required=False, default=False)

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
