from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Division, RevealLog, User


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "active", "demo_name"]
    list_filter = ["level", "kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "successor"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "division", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "division__name"]
    raw_id_fields = ["division"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and area"), {"fields": ("first_name", "role", "division", "must_change_password")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "division", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes to this log anyway."""

    list_display = ["at", "actor", "model", "object_id", "field", "reason", "ip_address"]
    list_filter = ["model", "field"]
    search_fields = ["actor__username", "object_id", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
