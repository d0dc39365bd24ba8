"""Admin for system administrators: the standards tables, delegations and price-linkage rules.

Entries are written by the same services as the pages and the API (a refusal shows as a
form error). A saved entry's scheme, area, division and date are fixed (a new entry with a
later date supersedes it), and nothing is deleted: what applied when is the record.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from core.adminaccess import admin_access
from core.errors import DomainError
from core.roles import Cap
from relief import services
from relief.models import Delegation, PriceIndex, PriceSubsidyRule, Standard


class _ServiceAdmin(admin.ModelAdmin):
    """The form's validation calls the service; the admin then saves nothing more itself."""

    fixed_on_change: tuple[str, ...] = ()
    editable_on_change = True

    def get_readonly_fields(self, request, obj=None):
        return (*self.fixed_on_change, "created_by", "created_at") if obj else ("created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.editable_on_change:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    values = {f: getattr(self.instance, f) for f in model_admin.fixed_on_change} | cleaned
                    try:
                        with transaction.atomic():
                            self.saved = model_admin.write(request, values, self.instance if change else None)
                    except DomainError as exc:
                        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
                return cleaned

        return ServiceForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        """Already written by the service during validation."""

    def write(self, request, values: dict, instance):
        raise NotImplementedError


@admin.register(Standard)
class StandardAdmin(_ServiceAdmin):
    list_display = ("scheme", "area_type", "division", "effective_from", "amount", "source")
    list_filter = ("scheme", "area_type", "division")
    date_hierarchy = "effective_from"
    fixed_on_change = ("scheme", "area_type", "division", "effective_from")

    def write(self, request, values, instance):
        if instance is not None:
            return services.standard_update(
                actor=request.user, standard=instance, amount=values["amount"], source=values["source"]
            )
        return services.standard_create(
            actor=request.user,
            scheme=values["scheme"],
            area_type=values["area_type"],
            division=values["division"],
            effective_from=values["effective_from"],
            amount=values["amount"],
            source=values["source"],
        )


@admin.register(Delegation)
class DelegationAdmin(_ServiceAdmin):
    list_display = ("district", "power", "effective_from", "delegated", "source")
    list_filter = ("power", "delegated")
    editable_on_change = False

    def write(self, request, values, instance):
        return services.delegation_set(
            actor=request.user,
            district=values["district"],
            power=values["power"],
            effective_from=values["effective_from"],
            delegated=values["delegated"],
            source=values["source"],
        )


@admin.register(PriceSubsidyRule)
class PriceSubsidyRuleAdmin(_ServiceAdmin):
    list_display = ("effective_from", "cpi_threshold", "food_cpi_threshold", "amount_index", "floor", "covered_groups")
    editable_on_change = False

    def write(self, request, values, instance):
        return services.price_rule_create(
            actor=request.user,
            effective_from=values["effective_from"],
            cpi_threshold=values["cpi_threshold"],
            food_cpi_threshold=values["food_cpi_threshold"],
            amount_index=values["amount_index"],
            floor=values["floor"],
            covered_groups=values["covered_groups"],
            source=values["source"],
        )


@admin.register(PriceIndex)
class PriceIndexAdmin(admin.ModelAdmin):
    """Read-only here: indices are entered on the price-index page or through the API."""

    list_display = ("month", "cpi_yoy", "food_cpi_yoy", "published_on", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Who sees these on the admin site (core.adminaccess; nobody is a superuser).
for _model in (Standard, Delegation, PriceSubsidyRule):
    admin_access(_model, caps=[Cap.STANDARDS_EDIT])
admin_access(PriceIndex, caps=[Cap.PRICE_INDEX_EDIT], actions=["view"])
