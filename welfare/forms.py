"""Browser forms for welfare: they check types and shapes; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.cases import NOTE_MAX_LENGTH
from core.models import Division, DivisionLevel
from core.scoping import scope_prefix
from relief.forms import DateInput, MonthInput, NoteForm, ReasonForm, TerminateForm
from welfare.models import Benefit, DisabilityGrade, DisabilityType, OrphanCategory, SubsidyKind

__all__ = ["NoteForm", "ReasonForm", "TerminateForm"]  # re-exported for the views' action maps


def _note_field():
    return forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrphanApplicationForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=OrphanCategory.choices, widget=forms.RadioSelect)
    guardian = forms.CharField(
        label=_("Guardian"),
        max_length=50,
        required=False,
        help_text=_("Living in the community: who looks after the child."),
    )
    guardian_relationship = forms.CharField(
        label=_("Guardian's relationship to the child"), max_length=20, required=False
    )
    institution = forms.CharField(
        label=_("Institution"), max_length=100, required=False, help_text=_("Raised in an institution: which one.")
    )
    note = _note_field()

    def clean(self):
        data = super().clean()
        if data.get("category") == OrphanCategory.COMMUNITY and not data.get("guardian"):
            self.add_error("guardian", _("Name the guardian of a child living in the community."))
        if data.get("category") == OrphanCategory.INSTITUTION and not data.get("institution"):
            self.add_error("institution", _("Name the institution raising the child."))
        return data


class OrphanAmendForm(NoteForm):
    category = forms.ChoiceField(label=_("Category"), choices=OrphanCategory.choices)
    guardian = forms.CharField(label=_("Guardian"), max_length=50, required=False)
    guardian_relationship = forms.CharField(
        label=_("Guardian's relationship to the child"), max_length=20, required=False
    )
    institution = forms.CharField(label=_("Institution"), max_length=100, required=False)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "category": data["category"],
            "guardian": data["guardian"],
            "guardian_relationship": data["guardian_relationship"],
            "institution": data["institution"],
        }


class SubsidyApplicationForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Apply for"), choices=SubsidyKind.choices, widget=forms.CheckboxSelectMultiple
    )
    certificate_number = forms.CharField(
        label=_("Disability certificate number"),
        max_length=24,
        help_text=_("20 characters: the holder's ID number, then the type (1–7) and the grade (1–4)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    disability_type = forms.TypedChoiceField(label=_("Disability type"), choices=DisabilityType.choices, coerce=int)
    grade = forms.TypedChoiceField(label=_("Grade"), choices=DisabilityGrade.choices, coerce=int)
    note = _note_field()


class SuspendForm(ReasonForm):
    from_month = forms.CharField(
        label=_("First month not paid"), required=False, widget=MonthInput(), help_text=_("Empty: from next month.")
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "from_month": self.cleaned_data["from_month"] or None}


class ReassessForm(NoteForm):
    disability_type = forms.TypedChoiceField(label=_("Disability type"), choices=DisabilityType.choices, coerce=int)
    grade = forms.TypedChoiceField(label=_("Grade"), choices=DisabilityGrade.choices, coerce=int)
    issued_on = forms.DateField(label=_("Re-assessed on"), required=False, widget=DateInput())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "disability_type": data["disability_type"],
            "grade": data["grade"],
            "issued_on": data["issued_on"],
        }


class SupervisorForm(forms.Form):
    subdistrict = forms.ModelChoiceField(
        label=_("Sub-district"), queryset=Division.objects.none(), to_field_name="code"
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Work phone"), max_length=20, required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DateInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = (scope_prefix(user) or "")[:9] if user is not None else ""
        if prefix:
            self.fields["subdistrict"].queryset = Division.objects.filter(
                level=DivisionLevel.SUBDISTRICT, active=True, code__startswith=prefix
            ).order_by("code")


class SupervisorEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Term ended on"), widget=DateInput())


class IncompatibilityForm(forms.Form):
    benefit_a = forms.ChoiceField(label=_("Benefit"), choices=Benefit.choices)
    benefit_b = forms.ChoiceField(label=_("Is incompatible with"), choices=Benefit.choices)
    active = forms.BooleanField(label=_("Checked by the cross-check"), required=False, initial=True)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
