"""Admin for system administrators: payout runs and their logs, read-only.

Runs move only through the services (the finance pages and the API): a run, its events,
its bank-file exports and its return imports are the record of what was paid, so the
admin shows them and changes nothing.
"""

from __future__ import annotations

from django.contrib import admin

from payouts.models import BankExport, PayoutRun, ReturnImport, RunEvent


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RunEventInline(admin.TabularInline):
    model = RunEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutRun)
class PayoutRunAdmin(_ReadOnly):
    list_display = [
        "id",
        "scheme",
        "period",
        "sequence",
        "status",
        "line_count",
        "total_amount",
        "origin",
        "created_at",
    ]
    list_filter = ["scheme", "status", "origin"]
    date_hierarchy = "period"
    exclude = ["plan", "summary"]
    inlines = [RunEventInline]


@admin.register(BankExport)
class BankExportAdmin(_ReadOnly):
    list_display = ["at", "run", "actor", "file_format", "line_count", "total_amount", "sha256", "ip_address"]
    list_filter = ["file_format"]
    date_hierarchy = "at"


@admin.register(ReturnImport)
class ReturnImportAdmin(_ReadOnly):
    list_display = ["at", "run", "actor", "filename", "outcome", "rows", "paid", "failed", "unchanged"]
    list_filter = ["outcome"]
    date_hierarchy = "at"
