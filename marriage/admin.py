from django.contrib import admin

from core.adminaccess import admin_access
from core.roles import Cap
from marriage.models import CapacityOverride, Office


class CapacityOverrideInline(admin.TabularInline):
    model = CapacityOverride
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """Registry offices' names, addresses and daily capacity (configuration, not registrations)."""

    list_display = ["division", "name", "daily_capacity", "open_weekends"]
    inlines = [CapacityOverrideInline]


# Who sees these on the admin site (core.adminaccess; nobody is a superuser).
admin_access(Office, caps=[Cap.STANDARDS_EDIT])
admin_access(CapacityOverride, caps=[Cap.STANDARDS_EDIT], actions=["view", "add", "change", "delete"])
