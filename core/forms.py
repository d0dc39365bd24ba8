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


class DivisionChangeForm(forms.Form):
    """A division change as the administrator enters it; ``core.services.division_change_create`` checks it."""

    kind = forms.ChoiceField(label=_("Kind of change"), choices=())
    effective_on = forms.DateField(label=_("In force from"), widget=DateInput())
    division = forms.ChoiceField(label=_("Town"), required=False, choices=())
    new_code = forms.CharField(
        label=_("New code"),
        max_length=9,
        required=False,
        help_text=_("9 digits; leave empty to keep the town's code."),
    )
    new_name = forms.CharField(label=_("New name"), max_length=60, required=False)
    target = forms.ChoiceField(label=_("New sub-district"), required=False, choices=())
    communities = forms.MultipleChoiceField(label=_("Communities to move"), required=False, choices=())
    staff_follow = forms.BooleanField(
        label=_("Staff of a changed division keep their access (their accounts move with it)"),
        required=False,
        initial=True,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        from core.models import Division, DivisionChangeKind

        super().__init__(*args, **kwargs)
        active = Division.objects.filter(active=True).order_by("code")
        subdistricts = list(active.filter(level="subdistrict").select_related("parent"))
        self.fields["kind"].choices = DivisionChangeKind.choices
        self.fields["division"].choices = [("", "—")] + [
            (d.code, f"{d.parent.name} {d.name} ({d.code})") for d in subdistricts if d.kind == "town"
        ]
        self.fields["target"].choices = [("", "—")] + [
            (d.code, f"{d.parent.name} {d.name} ({d.code})") for d in subdistricts
        ]
        names = {d.code: f"{d.parent.name} {d.name}" for d in subdistricts}
        groups: dict[str, list] = {}
        for c in active.filter(level="community"):
            groups.setdefault(names.get(c.parent_id, c.parent_id), []).append((c.code, f"{c.name} ({c.code})"))
        self.fields["communities"].choices = list(groups.items())
