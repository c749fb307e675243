"""The shopper API's representations: a wishlist's saved products."""

from rest_framework import serializers
from rest_framework.exceptions import NotFound

from catalog.models import Product
from catalog.selectors import listed_products
from catalog.serializers import PublicProductSerializer
from core.api_input import JsonTypesChecked
from shop.models import WishlistItem


class WishlistItemSerializer(serializers.ModelSerializer):
    """A saved product, as the catalogue API shows it, and when it was saved."""

    product = PublicProductSerializer(read_only=True)

    class Meta:
        model = WishlistItem
        fields = ["product", "added_at"]
        read_only_fields = fields


class WishlistAddSerializer(JsonTypesChecked, serializers.Serializer):
    product = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The id of a product on sale."
    )

    def validate_product(self, product_id: int) -> Product:
        # A well-formed id of no product on sale names a resource not found (404), as an unknown
        # product's page is.
        product = listed_products().filter(pk=product_id).first()
        if product is None:
            raise NotFound("There is no product on sale with this id.", code="unknown_product")
        return product
