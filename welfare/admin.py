"""Admin for system administrators: which benefits the cross-check treats as incompatible.

Written through the same service as the welfare settings page; nothing is deleted (a pair
is switched off instead, and its history kept).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from core.adminaccess import admin_access
from core.errors import DomainError
from core.roles import Cap
from welfare import services
from welfare.models import Incompatibility


@admin.register(Incompatibility)
class IncompatibilityAdmin(admin.ModelAdmin):
    list_display = ("benefit_a", "benefit_b", "active", "source", "updated_at")
    list_filter = ("active",)
    readonly_fields = ("created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fixed = ("benefit_a", "benefit_b") if obj else ()
        return (*fixed, *self.readonly_fields)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)

        class ServiceForm(base):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    values = {"benefit_a": self.instance.benefit_a, "benefit_b": self.instance.benefit_b} | cleaned
                    try:
                        with transaction.atomic():
                            self.saved = services.incompatibility_set(
                                actor=request.user,
                                benefit_a=values["benefit_a"],
                                benefit_b=values["benefit_b"],
                                active=values.get("active", True),
                                source=values.get("source", ""),
                            )
                    except DomainError as exc:
                        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
                return cleaned

        return ServiceForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        """Already written by the service during validation."""


# Who sees these on the admin site (core.adminaccess; nobody is a superuser).
admin_access(Incompatibility, caps=[Cap.STANDARDS_EDIT])
