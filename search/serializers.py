"""The search API's parameters in (checked and converted) and its hits out."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from catalog.models import Category
from catalog.serializers import OptionalPriceField, category_at_path
from catalog.variants import OPTION_FILTER, parse_option_filter
from core.api_input import JsonTypesChecked, StrictBooleanField
from core.api_schema import WORDS
from search.facets import SORTS
from search.keyword import MAX_QUERY_LENGTH
from search.ml.lexicon import FAMILIES
from search.models import SearchEvent
from search.photos import decode_query_photo
from search.selectors import MAX_LIMIT, Hit

DEFAULT_LIMIT = 24
NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY
EMPTY_QUERY = "Give a text query (q), a photo (image), or both."
# One code per parameter, for clients to switch on; the message says what exactly was wrong.
ERROR_CODES = {
    "q": "invalid_query",
    "image": "invalid_image",
    "category": "unknown_category",
    "min_price": "invalid_price",
    "max_price": "invalid_price",
    "in_stock": "invalid_in_stock",
    "option": "invalid_option",
    "colour": "invalid_colour",
    "exact": "invalid_exact",
    "limit": "invalid_limit",
    "offset": "invalid_offset",
}


_VARIANT_PRICES = (
    "A product with variants is in range when one of them is (its own price, else the "
    "product's), one in stock with the option asked for where `in_stock` or `option` is set; "
    "sorted by price, it goes by the cheapest of those in stock."
)


class SearchParamsSerializer(JsonTypesChecked, serializers.Serializer):
    """GET's query parameters."""

    # Without a photo, words are needed: a character other than a space (and no NUL).
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, validators=[RegexValidator(WORDS)])
    category = serializers.CharField(required=False, allow_blank=True, max_length=500)
    min_price = OptionalPriceField(help_text=_VARIANT_PRICES)
    max_price = OptionalPriceField(help_text=_VARIANT_PRICES)
    in_stock = StrictBooleanField(required=False, default=False)
    option = serializers.CharField(
        required=False,
        allow_blank=True,  # no filter, as a blank form field sends it
        max_length=200,
        validators=[RegexValidator(OPTION_FILTER)],
        help_text=(
            "Only products with a variant in stock that has this option, as name:value "
            "(size:M; the value in any case)."
        ),
    )
    colour = serializers.ChoiceField(
        choices=sorted(FAMILIES),
        required=False,
        allow_blank=True,  # no filter
        help_text=(
            'Only products whose listing states this colour family (a title\'s "navy" is '
            "blue): one of the names the `colours` facet lists."
        ),
    )
    exact = StrictBooleanField(
        required=False,
        default=False,
        help_text="Search the words as typed: no typo corrected, no related term added.",
    )
    sort = serializers.ChoiceField(
        choices=SORTS,
        required=False,
        default="relevance",
        help_text=(
            "The order of the matches: relevance, price (low to high, unpriced last), -price "
            "(high to low), newest. The related products past them stay in relevance order."
        ),
    )
    limit = serializers.IntegerField(
        required=False, default=DEFAULT_LIMIT, min_value=1, max_value=MAX_LIMIT
    )
    # Past the last candidate a page is empty anyway; the cap keeps the number sane.
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000)

    def validate_category(self, value: str) -> Category | None:
        return category_at_path(value)

    def validate_option(self, value: str) -> tuple[str, str] | None:
        return parse_option_filter(value) if value else None

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            words = error.detail.get("q", [])
            if set(error.detail) == {"q"} and {e.code for e in words} <= {"required", "blank"}:
                empty = ErrorDetail(EMPTY_QUERY, code="empty_query")
                raise serializers.ValidationError({NON_FIELD_ERRORS_KEY: [empty]}) from None
            raise serializers.ValidationError(_recoded(error.detail)) from None


class PhotoSearchParamsSerializer(SearchParamsSerializer):
    """A multipart POST: a photo, with words or not, and GET's other fields. (Words alone come
    as GET's parameters, or as a JSON or urlencoded POST.)"""

    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH)
    image = serializers.FileField(allow_empty_file=True)

    def validate_image(self, upload):
        """The checked upload, decoded: a PIL image."""
        try:
            return decode_query_photo(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class CategoryFacetSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Search again with `category` set to this.")
    name = serializers.CharField()
    count = serializers.IntegerField()


class PriceBandSerializer(serializers.Serializer):
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, source="low")
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="high", allow_null=True
    )
    count = serializers.IntegerField()


class ColourFacetSerializer(serializers.Serializer):
    colour = serializers.CharField(
        help_text="A colour family: search again with `colour` set to it."
    )
    count = serializers.IntegerField()


class OptionValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Search again with `option` set to name:value.")
    count = serializers.IntegerField(help_text="How many of the matches have it in stock.")


class OptionFacetSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = OptionValueSerializer(many=True)


class FacetsSerializer(serializers.Serializer):
    categories = serializers.SerializerMethodField()
    price_bands = PriceBandSerializer(
        many=True,
        help_text=(
            "A product with variants counts in each band that the price of one it is sold in "
            "falls in (as `min_price` and `max_price` find it)."
        ),
    )
    currency = serializers.CharField(help_text='The price bands\' currency ("": none or several).')
    in_stock = serializers.IntegerField(help_text="How many of the matches are in stock.")
    colours = serializers.SerializerMethodField(
        help_text="The colour families the matches' listings state, most matches first."
    )
    options = serializers.SerializerMethodField(
        help_text="The matches' variant options in stock, by option name."
    )

    @extend_schema_field(CategoryFacetSerializer(many=True))
    def get_categories(self, facets) -> list[dict]:
        return [
            {"path": category.path, "name": category.full_name, "count": count}
            for category, count in facets.categories
        ]

    @extend_schema_field(ColourFacetSerializer(many=True))
    def get_colours(self, facets) -> list[dict]:
        return [{"colour": colour, "count": count} for colour, count in facets.colours]

    @extend_schema_field(OptionFacetSerializer(many=True))
    def get_options(self, facets) -> list[dict]:
        return [
            {"name": option.name, "values": [{"value": v, "count": n} for v, n in option.values]}
            for option in facets.options
        ]


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk", help_text="The product's id.")
    sku = serializers.CharField(source="product.sku")
    title = serializers.CharField(source="product.title")
    price = serializers.DecimalField(
        source="product.price", max_digits=12, decimal_places=2, allow_null=True
    )
    currency = serializers.CharField(source="product.currency")
    price_from = serializers.DecimalField(
        source="price",
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text=(
            "The price it is filtered and sorted by: `price`, or for a product with variants "
            "the cheapest that the filters allow, one in stock first."
        ),
    )
    url = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    score = serializers.FloatField()
    why = serializers.ListField(child=serializers.CharField())

    def get_url(self, hit: Hit) -> str:
        return self.context["request"].build_absolute_uri(hit.product.get_absolute_url())

    def get_image(self, hit: Hit) -> str | None:
        photo = hit.product.main_image
        return self.context["request"].build_absolute_uri(photo.image.url) if photo else None


class SimilarParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=8, min_value=1, max_value=50)


class SimilarProductsSerializer(serializers.Serializer):
    results = HitSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text=(
            "How many products match the query within the filters, of which `results` is the "
            "page asked for. A match is a product the trained ranking gives even odds or better "
            "of being what was asked for (before a ranking is trained, every candidate). Its "
            "sources (vector indexes, full-text search) are each searched `limit` deep (at "
            "least 50), the same for every page of one `limit`."
        )
    )
    corrected_query = serializers.CharField(
        allow_null=True,
        help_text=(
            "The query with its typos corrected to the catalogue's words, when it had any "
            "(the results are for both); null otherwise. `exact=true` searches the words as "
            "typed."
        ),
    )
    added_terms = serializers.ListField(
        child=serializers.CharField(),
        help_text="The catalogue's terms added to the query's own words (never replacing them).",
    )
    results = HitSerializer(many=True)
    related = HitSerializer(
        many=True,
        help_text=(
            "On the page where the matches end, or when there are none: the nearest products "
            "past the last match, filling the page (`count` leaves them out)."
        ),
    )
    facets = FacetsSerializer(
        allow_null=True,
        help_text="Counted over all the matches, not only this page's (null for no search).",
    )
    took_ms = serializers.FloatField()
    token = serializers.CharField(
        help_text=(
            "Signed: the results shown, to this client. Report a shopper's click or add to "
            "cart on one of them with it (`POST /api/v1/search/events/`)."
        )
    )
    notice = serializers.CharField(
        allow_null=True,
        help_text=(
            "Set when the answer is degraded (the search model is loading or failed: results "
            "then match the words alone); null otherwise."
        ),
    )


def _recoded(errors: dict) -> dict:
    return {
        field: [ErrorDetail(str(message), ERROR_CODES[field]) for message in messages]
        if field in ERROR_CODES
        else messages
        for field, messages in errors.items()
    }


class SearchEventSerializer(JsonTypesChecked, serializers.Serializer):
    token = serializers.CharField(
        max_length=4000,
        help_text="The `token` of the search answer that showed the product.",
    )
    product = serializers.IntegerField(
        min_value=1, help_text="The id of the product the shopper acted on."
    )
    action = serializers.ChoiceField(choices=SearchEvent.Action.choices)


class SearchEventResultSerializer(serializers.Serializer):
    counted = serializers.BooleanField(
        help_text="False when this searcher's same event for this result was counted already."
    )


class SuggestParamsSerializer(JsonTypesChecked, serializers.Serializer):
    # Blank while the box is emptied; a trailing space says the last word is whole.
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, allow_blank=True, trim_whitespace=False)


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    source = serializers.ChoiceField(
        choices=["popular", "catalogue"],
        help_text=(
            "popular: a query that many shoppers made and that found products; catalogue: the "
            "words typed, "
            "the last one completed with a word the catalogue uses with the others."
        ),
    )


class SuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
