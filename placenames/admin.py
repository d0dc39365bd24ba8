from django.contrib import admin

from core.adminaccess import admin_access
from core.roles import Cap
from placenames.models import BannedWord


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    """The banned-word list is configuration: system administrators may keep it here too."""

    list_display = ["word", "reason", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["word"]


# Who sees these on the admin site (core.adminaccess; nobody is a superuser).
admin_access(BannedWord, caps=[Cap.PLACENAME_CONFIGURE, Cap.STANDARDS_EDIT])
