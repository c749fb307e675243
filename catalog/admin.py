"""Admin for the catalogue. Saves go through catalog.services, so search hears of them."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from catalog import services
from catalog.images import check_image
from catalog.models import MERCHANT_FIELDS, Category, Merchant, Product, ProductImage, Variant


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "path"]
    search_fields = ["full_name"]
    fields = ["name", "parent", "path", "full_name"]
    readonly_fields = ["path", "full_name"]

    def save_model(self, request, obj: Category, form, change: bool) -> None:
        services.save_category(obj)


class ProductAdminForm(forms.ModelForm):
    """The admin's product form carries the version it showed: a save over a newer one (the
    merchant's dashboard, the API, an import or a sale meanwhile) is refused, as everywhere."""

    # Not named after the model's `version`: the admin refuses a form field of that name, as
    # the model field is not editable.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Product
        fields = ["merchant", *MERCHANT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].required = True
            self.initial.setdefault("expected_version", self.instance.version)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        shown = cleaned_data.get("expected_version")
        if self.instance.pk and shown is not None:
            current = Product.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if current.first() != shown:
                raise ValidationError(
                    "This product was changed elsewhere since this page was opened. Nothing "
                    "was saved: reload the page to see it as it is now, and make your change "
                    "again.",
                    code="conflict",
                )
        return cleaned_data


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ["thumbnail", "position", "width", "height"]
    readonly_fields = ["thumbnail", "width", "height"]
    extra = 0
    can_delete = False

    @admin.display(description="Photo")
    def thumbnail(self, image: ProductImage) -> str:
        return format_html('<img src="{}" alt="" height="80">', image.image.url)


class VariantInline(admin.TabularInline):
    """Shown, not edited: variants are written with their product's stock by catalog.services
    (the merchant dashboard, the merchant API, the CSV import)."""

    model = Variant
    fields = ["sku", "options", "price", "stock"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "sku", "merchant", "category", "price", "currency", "stock", "status"]
    list_filter = ["status", "merchant"]
    search_fields = ["title", "sku"]
    raw_id_fields = ["merchant", "category"]
    inlines = [ProductImageInline, VariantInline]
    form = ProductAdminForm

    def save_model(self, request, obj: Product, form: ProductAdminForm, change: bool) -> None:
        # The form checked the version; the service checks it again under the row's lock, so
        # a change landing between the two is refused too rather than overwritten.
        services.save_product(obj, expected_version=form.cleaned_data.get("expected_version"))

    def delete_model(self, request, obj: Product) -> None:
        services.delete_product(obj)

    def delete_queryset(self, request, queryset) -> None:
        for product in queryset:
            services.delete_product(product)


class ProductImageForm(forms.ModelForm):
    """Adding a photo in the admin: checked like every other upload."""

    upload = forms.FileField(label="Photo")

    class Meta:
        model = ProductImage
        fields = ["product"]

    def clean_upload(self):
        try:
            return check_image(self.cleaned_data["upload"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ["product", "position", "width", "height", "created_at"]
    raw_id_fields = ["product"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProductImageForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["product", "upload"] if obj is None else ["product", "position"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["product"]

    def save_model(self, request, obj: ProductImage, form, change: bool) -> None:
        if change:
            services.move_product_image(obj, obj.position)
        else:
            [created] = services.add_product_photos(obj.product, [form.cleaned_data["upload"]])
            obj.pk = created.pk

    def delete_model(self, request, obj: ProductImage) -> None:
        services.delete_product_image(obj)
