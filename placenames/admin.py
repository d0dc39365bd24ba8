from django.contrib import admin

from placenames.models import BannedWord


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    """The banned-word list is configuration: system administrators may keep it here too."""

    list_display = ["word", "reason", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["word"]
