"""Forms of the merchant dashboard."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from catalog.currencies import ISO_4217_CODES
from catalog.images import ALLOWED_FORMATS, CheckedImage, check_uploads
from catalog.models import Category, Merchant, Product


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
        self.fields["category_path"].widget.attrs["list"] = "category-paths"
        self.category_paths = Category.objects.values_list("full_name", flat=True)

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        taken = Product.objects.filter(merchant=self.merchant, sku=sku).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("You already have a product with this SKU.", code="taken")
        return sku


class StockForm(forms.Form):
    stock = forms.IntegerField(min_value=0, max_value=2_147_483_647)
