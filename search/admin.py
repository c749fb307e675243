from django.contrib import admin

from search.models import ProductIndex


@admin.register(ProductIndex)
class ProductIndexAdmin(admin.ModelAdmin):
    """Read-only: the index is written by the catalogue's announcements and the workers."""

    list_display = ["product", "state", "encoder_version", "changed_at", "indexed_at"]
    list_filter = ["dirty", "encoder_version"]
    search_fields = ["product__title", "product__sku"]
    fields = ["product", "encoder_version", "dirty", "changed_at", "indexed_at", "error"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
