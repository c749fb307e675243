"""Forms of the merchant dashboard."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.currencies import ISO_4217_CODES
from catalog.images import ALLOWED_FORMATS, CheckedImage, check_uploads
from catalog.models import Category, Merchant, Product, Variant
from catalog.variants import VariantSpec, format_options, parse_options


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos, each checked by catalog.images.check_image."""

    widget = MultiplePhotoInput(
        attrs={"accept": ",".join(f"image/{name.lower()}" for name in ALLOWED_FORMATS)}
    )

    def clean(self, data, initial=None) -> list[CheckedImage]:
        uploads = [
            upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload
        ]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        return check_uploads(uploads)


class ProductForm(forms.ModelForm):
    category_path = forms.CharField(
        label="Category",
        required=False,
        max_length=300,
        help_text='A path such as "Apparel > Topwear"; new categories are created.',
    )
    photos = PhotosField(
        required=False, help_text="JPEG, PNG, WebP or GIF, up to 10 MB each. Add several at once."
    )
    # The product's version when the form was shown: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Product
        fields = [
            "sku",
            "title",
            "description",
            "category_path",
            "price",
            "currency",
            "stock",
            "status",
        ]
        widgets = {
            "currency": forms.Select(choices=[(code, code) for code in sorted(ISO_4217_CODES)]),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, merchant: Merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.instance.merchant = merchant
        if self.instance.category_id:
            self.initial.setdefault("category_path", self.instance.category.full_name)
        # A new product is in the store's currency unless the merchant picks another.
        self.initial.setdefault(
            "currency", self.instance.currency or settings.VITRINE_DEFAULT_CURRENCY
        )
        if self.instance.pk:
            self.fields["version"].required = True
            self.initial.setdefault("version", self.instance.version)
        if self.instance.pk and self.instance.variants.exists():
            self.fields["stock"].disabled = True
            self.fields["stock"].help_text = "The sum of the variants' stock: change theirs below."
        self.fields["category_path"].widget.attrs["list"] = "category-paths"
        self.category_paths = Category.objects.values_list("full_name", flat=True)

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        taken = Product.objects.filter(merchant=self.merchant, sku=sku).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("You already have a product with this SKU.", code="taken")
        return sku

    def refuse_stale(self, current: Product) -> None:
        """After a refused stale save: say where the entries differ from the product as it is
        now, and take its current version, so that saving them again applies them knowingly."""
        changes = []
        for name in self.Meta.fields:
            if name == "category_path":
                now = current.category.full_name if current.category else ""
            else:
                now = getattr(current, name)
            if name in self.cleaned_data and self.cleaned_data[name] != now:
                changes.append(f"{self.fields[name].label.lower()} “{now}”")
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = current.version
        now = f" Where they differ, it now has: {', '.join(changes)}." if changes else ""
        self.add_error(
            None,
            "This product was changed elsewhere while you edited it. Nothing was saved; your "
            f"entries are kept below.{now} Check them and save again (with any photos again).",
        )


class VariantForm(forms.Form):
    """One variant: its SKU, options ("size: M, colour: black"), price override and stock."""

    sku = forms.CharField(
        label="SKU", max_length=64, validators=Variant._meta.get_field("sku").validators
    )
    options = forms.CharField(
        max_length=300, widget=forms.TextInput(attrs={"placeholder": "size: M, colour: black"})
    )
    price = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Empty: the product's.",
    )
    # Empty means none: an untouched extra row is then empty throughout, and adds nothing.
    stock = forms.IntegerField(required=False, min_value=0, max_value=2_147_483_647)

    def clean_stock(self) -> int:
        return self.cleaned_data["stock"] or 0

    def clean_options(self) -> dict[str, str]:
        return parse_options(self.cleaned_data["options"])


class BaseVariantFormSet(forms.BaseFormSet):
    """The product form's variants: a row left empty adds nothing, a row marked for deletion
    goes. All are saved with the product, in its transaction (catalog.variants)."""

    # False when a form was posted without the variant rows (a client of the form's older
    # shape): the product's variants are then left as they are.
    submitted = True

    @classmethod
    def for_product(cls, product: Product | None, data=None) -> "BaseVariantFormSet":
        initial = [
            {
                "sku": variant.sku,
                "options": format_options(variant.options),
                "price": variant.price,
                "stock": variant.stock,
            }
            for variant in (product.variants.all() if product else [])
        ]
        formset = cls(data, initial=initial, prefix="variants")
        formset.submitted = data is None or formset.management_form.prefix + "-TOTAL_FORMS" in data
        return formset

    def is_valid(self) -> bool:
        return not self.submitted or super().is_valid()

    def specs(self) -> list[VariantSpec] | None:
        if not self.submitted:
            return None
        return [
            VariantSpec(
                form.cleaned_data["sku"],
                form.cleaned_data["options"],
                form.cleaned_data["price"],
                form.cleaned_data["stock"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


VariantFormSet = forms.formset_factory(
    VariantForm,
    formset=BaseVariantFormSet,
    extra=2,
    can_delete=True,
    max_num=100,
    validate_max=True,
)


class StockForm(forms.Form):
    stock = forms.IntegerField(min_value=0, max_value=2_147_483_647)
    # The product's version when the dashboard was shown: a newer count is not overwritten.
    version = forms.IntegerField(min_value=1)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What it is for, so you know which to revoke, e.g. “Nightly stock sync”.",
    )
