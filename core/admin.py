"""The admin site: system administrators (everything but the logs) and security officers
(staff accounts' roles, the security log). Capabilities decide, not Django's permission rows.

Separation of duties (三权分立): no one changes their own role; only a security officer grants
or removes a privileged role; the change history and the reveal log are the auditor's, read on
the audit pages (core.views), not here.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pghistory.admin import EventsAdmin

from core.adminaccess import admin_access
from core.errors import DomainError
from core.models import Division, RevealLog, SecurityEvent, SecurityEventKind, User
from core.roles import ROLE_LEVELS, Cap, has_cap
from core.services import (
    STAFF_SITE_ROLES,
    role_grant_refusal,
    security_event_record,
    staff_password_set,
    staff_role_grant,
)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "active", "demo_name"]
    list_filter = ["level", "kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "successor"]


class _RoleCheckMixin:
    """Form-level check of a role grant, so a refusal is a form error, not an exception."""

    request = None  # set by StaffAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        division = cleaned.get("division")
        target = self.instance
        if role and (target.pk is None or role != target.role):
            refusal = role_grant_refusal(actor=self.request.user, user=target, role=role)
            if refusal:
                self.add_error("role", refusal)
        if role and division is not None and division.level not in ROLE_LEVELS[role]:
            self.add_error(
                "division",
                _("A %(role)s belongs to a division of level %(levels)s.")
                % {"role": role, "levels": "/".join(sorted(ROLE_LEVELS[role]))},
            )
        return cleaned


class StaffCreationForm(_RoleCheckMixin, AdminUserCreationForm):
    pass


class StaffChangeForm(_RoleCheckMixin, UserChangeForm):
    pass


class StaffPasswordResetForm(AdminPasswordChangeForm):
    """A password set by a security officer (``staff_password_set``): changed by its owner at the
    next login, and in the security log."""

    request = None  # set by StaffAdmin.user_change_password

    def clean(self):
        cleaned = super().clean()
        if self.request is not None and self.request.user.pk == self.user.pk:
            raise ValidationError(_("Your own password is changed on the portal's own page."))
        return cleaned

    def save(self, commit=True):
        return staff_password_set(
            actor=self.request.user,
            user=self.user,
            new_password=self.cleaned_data["password1"],
            ip_address=self.request.META.get("REMOTE_ADDR"),
        )


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "division", "is_active", "must_change_password", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "division__name"]
    raw_id_fields = ["division"]
    form = StaffChangeForm
    add_form = StaffCreationForm
    change_password_form = StaffPasswordResetForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and area"), {"fields": ("first_name", "role", "division", "must_change_password")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "division", "password1", "password2")}),
    )

    # Capabilities, not Django permission rows: the administrator manages accounts, the security
    # officer may open them to change a role.
    def has_module_permission(self, request):
        return has_cap(request.user, Cap.STAFF_MANAGE) or has_cap(request.user, Cap.ROLES_GRANT)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return has_cap(request.user, Cap.STAFF_MANAGE)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the logs refer to them

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if obj is None:
            return readonly
        if obj.pk == request.user.pk:
            # No one grants themselves a role, or reactivates or re-scopes themselves.
            readonly += ["role", "division", "is_active", "must_change_password"]
        elif not has_cap(request.user, Cap.STAFF_MANAGE):
            # A security officer changes roles and nothing else.
            readonly += ["username", "first_name", "division", "is_active", "must_change_password"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def user_change_password(self, request, id, form_url=""):
        if str(request.user.pk) == str(id) or not has_cap(request.user, Cap.PASSWORDS_RESET):
            from django.core.exceptions import PermissionDenied

            # One's own password is changed on the portal's own page; another's only by a
            # security officer (not the administrator: 三权分立, issue 22 §2).
            raise PermissionDenied
        self.change_password_form = type("StaffPasswordResetForm", (StaffPasswordResetForm,), {"request": request})
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not change:
            # Accounts made here get a password from an administrator: their owner changes it first.
            obj.must_change_password = True
            obj.is_staff = obj.role in STAFF_SITE_ROLES
            obj.is_superuser = False  # nobody: the admin site asks capabilities (core.adminaccess)
            super().save_model(request, obj, form, change)
            security_event_record(
                kind=SecurityEventKind.PASSWORD_SET,
                username=obj.username,
                user=obj,
                actor=request.user,
                ip_address=request.META.get("REMOTE_ADDR"),
                detail="initial password",
            )
            return
        new_role = obj.role
        if "role" in form.changed_data:
            obj.role = form.initial.get("role", User.objects.get(pk=obj.pk).role)
        super().save_model(request, obj, form, change)
        if new_role != obj.role:
            try:
                staff_role_grant(
                    actor=request.user, user=obj, role=new_role, ip_address=request.META.get("REMOTE_ADDR")
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))


class _LogAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes to these logs anyway."""

    view_cap = Cap.AUDIT_VIEW

    def has_module_permission(self, request):
        return has_cap(request.user, self.view_cap)

    def has_view_permission(self, request, obj=None):
        return has_cap(request.user, self.view_cap)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RevealLog)
class RevealLogAdmin(_LogAdmin):
    list_display = ["at", "actor", "model", "object_id", "field", "reason", "ip_address"]
    list_filter = ["model", "field"]
    search_fields = ["actor__username", "object_id", "reason"]
    date_hierarchy = "at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(_LogAdmin):
    view_cap = Cap.SECURITY_LOG_VIEW
    list_display = ["at", "kind", "username", "actor", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "at"


class AuditEventsAdmin(EventsAdmin):
    """pghistory's events admin (settings.PGHISTORY_ADMIN_CLASS), closed on the admin site:
    raw events hold unmasked values; auditors read them masked on the audit pages."""

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


# --- Who sees what on the admin site (core.adminaccess): the administrator's configuration ------
admin_access(Division, caps=[Cap.STANDARDS_EDIT])


def _open_schedules_to_the_administrator() -> None:
    """django-celery-beat's schedules: the administrator's (architecture.md: "users, schedules")."""
    from django_celery_beat import models as beat

    for model in (
        beat.PeriodicTask,
        beat.CrontabSchedule,
        beat.IntervalSchedule,
        beat.ClockedSchedule,
        beat.SolarSchedule,
    ):
        admin_access(model, caps=[Cap.STAFF_MANAGE], actions=["view", "add", "change", "delete"])


_open_schedules_to_the_administrator()
