"""The shopper's forms: add to cart, cart quantities, checkout, sign-up."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import MaxValueValidator

from catalog.models import Product
from shop.models import ADDRESS_FIELDS, Order
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
    product = forms.ModelChoiceField(Product.objects.filter(status=Product.Status.ACTIVE))
    quantity = forms.IntegerField(min_value=1, initial=1)
    # Set when the shopper adds from search results (the answer's signed token): the add counts
    # for the ranking's training.
    search_token = forms.CharField(required=False, max_length=4000)


class QuantityForm(CappedQuantity, forms.Form):
    quantity = forms.IntegerField(min_value=0)


class CheckoutForm(forms.ModelForm):
    payment_method = forms.ChoiceField(
        label="Payment",
        choices=[(code, method.label) for code, method in PAYMENT_METHODS.items()],
        initial=next(iter(PAYMENT_METHODS)),
        widget=forms.RadioSelect,
    )

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


class SignUpForm(UserCreationForm):
    email = forms.EmailField(help_text="Where we send your order confirmations.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]
