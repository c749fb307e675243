"""The shopper's forms: add to cart, cart quantities, checkout."""

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxValueValidator

from catalog.models import Product, Variant
from catalog.selectors import OPTION_PARAMETER, find_variant
from shop.models import ADDRESS_FIELDS, CartLine, Order
from shop.payment import PAYMENT_METHODS
from shop.services.cart import max_units_per_line


class CappedQuantity:
    """A quantity field no larger than an order may take (a setting, so read per form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = max_units_per_line()
        self.fields["quantity"].validators.append(MaxValueValidator(cap))
        self.fields["quantity"].widget.attrs["max"] = cap


class AddToCartForm(CappedQuantity, forms.Form):
    """A product and quantity; for a product with variants, the options chosen, one
    `option-<name>` field each (catalog.selectors.variant_choice names them)."""

    product = forms.ModelChoiceField(Product.objects.filter(status=Product.Status.ACTIVE))
    quantity = forms.IntegerField(min_value=1, initial=1)
    # Set when the shopper adds from search results (the answer's signed token): the add counts
    # for the ranking's training.
    search_token = forms.CharField(required=False, max_length=4000)

    def chosen_options(self) -> dict[str, str]:
        return {
            name.removeprefix(OPTION_PARAMETER): value
            for name, value in self.data.items()
            if name.startswith(OPTION_PARAMETER) and isinstance(value, str)
        }

    def chosen_variant(self) -> Variant | None:
        """The variant of the chosen options (None when the product has none, or when the
        options make none: the cart service then asks the shopper to choose)."""
        return find_variant(self.cleaned_data["product"].variants.all(), self.chosen_options())


class WishlistAddForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.filter(status=Product.Status.ACTIVE))


class QuantityForm(CappedQuantity, forms.Form):
    quantity = forms.IntegerField(min_value=0)


class CheckoutForm(forms.ModelForm):
    payment_method = forms.ChoiceField(
        label="Payment",
        choices=[(code, method.label) for code, method in PAYMENT_METHODS.items()],
        initial=next(iter(PAYMENT_METHODS)),
        widget=forms.RadioSelect,
    )
    # Each line's price and currency as the page showed them: the order is placed only at those.
    shown_prices = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Order
        fields = [
            "email",
            "full_name",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "country",
            "phone",
        ]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}

    autocomplete = {
        "email": "email",
        "full_name": "name",
        "address_line1": "address-line1",
        "address_line2": "address-line2",
        "city": "address-level2",
        "postal_code": "postal-code",
        "country": "country-name",
        "phone": "tel",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        self.fields["phone"].help_text = "For the courier, if they need to reach you."

    def address(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ADDRESS_FIELDS}

    @staticmethod
    def encode_prices(lines: Iterable[CartLine]) -> str:
        return json.dumps(
            {line.price_key: [str(line.unit_price), line.product.currency] for line in lines}
        )

    def clean_shown_prices(self) -> dict[str, tuple[Decimal | None, str]]:
        try:
            shown = json.loads(self.cleaned_data["shown_prices"])
            return {
                str(key): (None if price == "None" else Decimal(price), currency)
                for key, (price, currency) in shown.items()
            }
        except (ValueError, TypeError, AttributeError, InvalidOperation):
            raise forms.ValidationError("bad prices", code="bad_prices") from None

    def clean(self) -> dict:
        # The field is hidden: its error is the page's.
        if self.has_error("shown_prices"):
            del self.errors["shown_prices"]
            self.add_error(None, "This page was out of date: check your order and place it.")
        return super().clean()
