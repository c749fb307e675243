"""Admin for merchants' API tokens: staff see them and can revoke (delete) one, never make one
(a token belongs to its merchant, who sees it once) nor read one (only its hash is kept)."""

from django.contrib import admin

from merchant.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "token_key", "created", "expiry", "last_used"]
    search_fields = ["name", "token_key", "user__username"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
