from django.contrib import admin

from marriage.models import CapacityOverride, Office


class CapacityOverrideInline(admin.TabularInline):
    model = CapacityOverride
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """Registry offices' names, addresses and daily capacity (configuration, not registrations)."""

    list_display = ["division", "name", "daily_capacity", "open_weekends"]
    inlines = [CapacityOverrideInline]
