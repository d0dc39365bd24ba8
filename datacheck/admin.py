"""Admin: the data sources, read-only (they are registered on the data-checking pages, through the service)."""

from django.contrib import admin

from core.adminaccess import admin_access
from core.roles import Cap
from datacheck.models import DataSource


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["department", "item", "effect", "matching_key", "active", "created_at"]
    list_filter = ["effect", "active"]
    search_fields = ["department", "item"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Who sees these on the admin site (core.adminaccess; nobody is a superuser).
admin_access(DataSource, caps=[Cap.DATACHECK_CONFIGURE], actions=["view"])
