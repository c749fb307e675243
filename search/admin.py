from django.contrib import admin

from search.models import ProductIndex, SearchLog


@admin.register(ProductIndex)
class ProductIndexAdmin(admin.ModelAdmin):
    """Read-only: the index is written by the catalogue's announcements and the workers."""

    list_display = ["product", "state", "encoder_version", "changed_at", "indexed_at"]
    list_filter = ["dirty", "bulk", "encoder_version"]
    search_fields = ["product__title", "product__sku"]
    fields = ["product", "encoder_version", "dirty", "bulk", "changed_at", "indexed_at", "error"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """Read-only: the search page and the API write the log; retention deletes it."""

    list_display = ["created_at", "query_text", "had_photo", "result_count", "took_ms", "source"]
    list_filter = ["source", "had_photo", "colour"]
    search_fields = ["query_text"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over a large log on each page
    readonly_fields = [field.name for field in SearchLog._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
