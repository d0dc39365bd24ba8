from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from core.models import SecurityEventKind
from core.roles import Role


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new twice, the configured validators); saved by a service."""

    def save(self, commit=True):  # pragma: no cover - the view calls the service instead
        raise NotImplementedError("core.services.staff_password_change saves the password")


class DateInput(forms.DateInput):
    """``<input type="date">`` with its value in ISO (``YYYY-MM-DD``), the only form a date input takes."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class AuditSearchForm(forms.Form):
    strict_text = False  # a search: it stores nothing

    actor = forms.CharField(label=_("Actor (username)"), max_length=150, required=False)
    model = forms.ChoiceField(label=_("Record type"), required=False, choices=())
    object_id = forms.CharField(label=_("Record number"), max_length=40, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        from core.history import tracked_models

        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All record types")), *tracked_models()]


class SecuritySearchForm(forms.Form):
    strict_text = False  # a search: it stores nothing

    actor = forms.CharField(label=_("Account or actor (username)"), max_length=150, required=False)
    kind = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("All")), *list(SecurityEventKind.choices)]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


class StaffSearchForm(forms.Form):
    strict_text = False  # a search: it stores nothing

    q = forms.CharField(label=_("Username or name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All")), *list(Role.choices)])
    locked = forms.BooleanField(label=_("Locked out now"), required=False)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
