"""Browser forms for social assistance: they check types and shapes; services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.cases import NOTE_MAX_LENGTH
from core.forms import DateInput
from core.models import Division, DivisionLevel
from people.models import AreaType
from relief.models import (
    AdmissionSource,
    CareLevel,
    ClaimKind,
    DischargeOutcome,
    IncomeSource,
    Placement,
    Scheme,
    ServiceKind,
    TraceMethod,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class PayCashForm(NoteForm):
    """Cash handed over at the window: who received it (on the receipt they sign)."""

    recipient = forms.CharField(label=_("Received by (name)"), max_length=100)

    def service_kwargs(self) -> dict:
        return {"recipient": self.cleaned_data["recipient"], "note": self.cleaned_data["note"]}


class ReasonForm(NoteForm):
    """The same as a note, but the page asks for it: a refusal, suspension or termination says why."""

    note = forms.CharField(label=_("Reason"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class MonthInput(forms.TextInput):
    input_type = "month"


class ClaimApproveForm(NoteForm):
    """Approve all of a claim, or less than asked with the reason in the note."""

    amount = forms.DecimalField(
        label=_("Amount approved (leave empty for the amount asked)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )

    def service_kwargs(self) -> dict:
        amount = self.cleaned_data.get("amount")
        return {**super().service_kwargs(), "amount": amount}


class ObjectionForm(NoteForm):
    """An objection raised during the public notice: who objected and what about."""

    note = forms.CharField(
        label=_("The objection"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class TerminateForm(ReasonForm):
    end_month = forms.CharField(
        label=_("First month no longer paid"),
        required=False,
        widget=MonthInput(),
        help_text=_("Empty: from next month."),
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "end_month": self.cleaned_data["end_month"] or None}


class InvestigationForm(NoteForm):
    investigated_on = forms.DateField(label=_("Home investigation on"), widget=DateInput())
    investigators = forms.CharField(label=_("Investigated by"), max_length=100)
    findings = forms.CharField(
        label=_("Investigation findings"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def spec(self):
        from relief.services import InvestigationSpec

        data = self.cleaned_data
        return InvestigationSpec(
            on=data["investigated_on"], investigators=data["investigators"], findings=data["findings"]
        )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "investigation": self.spec()}


class DibaoRecheckForm(NoteForm):
    monthly_income = forms.DecimalField(
        label=_("Household monthly income"), required=False, help_text=_("Empty: unchanged."), **MONEY
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "monthly_income": self.cleaned_data["monthly_income"]}


class TekunRecheckForm(NoteForm):
    care_level = forms.ChoiceField(label=_("Self-care ability"), choices=CareLevel.choices)
    placement = forms.ChoiceField(label=_("Placement"), choices=Placement.choices)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {**super().service_kwargs(), "care_level": data["care_level"], "placement": data["placement"]}


# --- Dibao application ------------------------------------------------------------------------


class IncomeForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Member"), coerce=int)
    source = forms.ChoiceField(label=_("Source"), choices=IncomeSource.choices)
    amount = forms.DecimalField(label=_("Monthly amount"), required=False, **MONEY)  # blank row: no income

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.person_id, m.person.name) for m in members]


class BaseIncomeFormSet(forms.BaseFormSet):
    def __init__(self, *args, members=(), **kwargs):
        self.members = list(members)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "members": self.members}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            use_required_attribute=False,
            members=self.members,
        )
        self.add_fields(form, None)
        return form

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data and f.cleaned_data.get("amount") is not None]


IncomeFormSet = forms.formset_factory(IncomeForm, formset=BaseIncomeFormSet, extra=0, min_num=0, max_num=60)


class DibaoApplicationForm(forms.Form):
    disabled = forms.TypedMultipleChoiceField(
        label=_("Members with a disability"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    investigated_on = forms.DateField(label=_("Home investigation on"), required=False, widget=DateInput())
    investigators = forms.CharField(label=_("Investigated by"), max_length=100, required=False)
    findings = forms.CharField(
        label=_("Investigation findings"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disabled"].choices = [(m.person_id, m.person.name) for m in members]

    def clean(self):
        data = super().clean()
        if data.get("investigated_on") and not data.get("investigators"):
            self.add_error("investigators", _("Name who made the home investigation."))
        if data.get("investigators") and not data.get("investigated_on"):
            self.add_error("investigated_on", _("Give the date of the home investigation."))
        return data


# --- Tekun application ------------------------------------------------------------------------


class TekunApplicationForm(forms.Form):
    care_level = forms.ChoiceField(label=_("Self-care ability"), choices=CareLevel.choices)
    placement = forms.ChoiceField(label=_("Placement"), choices=Placement.choices)
    institution = forms.CharField(label=_("Institution"), max_length=100, required=False)
    area_type = forms.ChoiceField(
        label=_("Urban or rural"),
        choices=[("", _("As the household (or village: rural)")), *AreaType.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Temporary relief -------------------------------------------------------------------------


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0.01)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClaimKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    green_channel = forms.BooleanField(
        label=_("Green channel: pay first, complete the paperwork afterwards"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False)

    def clean(self):
        data = super().clean()
        if data.get("green_channel") and data.get("kind") != ClaimKind.URGENT:
            self.add_error("green_channel", _("Only urgent claims can use the green channel."))
        return data


class BulkApproveForm(forms.Form):
    claims = forms.TypedMultipleChoiceField(label=_("Claims"), coerce=int, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, claim_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(pk, str(pk)) for pk in claim_ids]
        self.fields["claims"].error_messages["required"] = _("Select at least one claim.")


# --- Standards and price indices --------------------------------------------------------------


class StandardForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    area_type = forms.ChoiceField(
        label=_("Urban or rural"), choices=[("", _("Both")), *AreaType.choices], required=False
    )
    division = forms.ModelChoiceField(
        label=_("District"),
        queryset=Division.objects.filter(level=DivisionLevel.DISTRICT).order_by("code"),
        required=False,
        empty_label=_("The whole city"),
        to_field_name="code",
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class PriceIndexForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=MonthInput())
    cpi_yoy = forms.DecimalField(label=_("CPI, year on year (%)"), max_digits=5, decimal_places=1)
    food_cpi_yoy = forms.DecimalField(label=_("Food CPI, year on year (%)"), max_digits=5, decimal_places=1)
    published_on = forms.DateField(label=_("Published on"), required=False, widget=DateInput())


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, widget=MonthInput())


# --- Vagrant relief ---------------------------------------------------------------------------


class AdmissionForm(forms.Form):
    name = forms.CharField(label=_("Name or description"), max_length=50)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("Unknown")), ("male", _("Male")), ("female", _("Female"))], required=False
    )
    estimated_age = forms.IntegerField(label=_("Estimated age"), min_value=0, max_value=120, required=False)
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DateInput())
    source = forms.ChoiceField(label=_("How they came"), choices=AdmissionSource.choices)
    circumstances = forms.CharField(
        label=_("Circumstances"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    cost = forms.DecimalField(label=_("Cost"), required=False, **MONEY)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TraceForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=TraceMethod.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=4000, required=False)


class TraceConcludeForm(forms.Form):
    found = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Family found")), ("0", _("Not found"))],
        coerce=lambda v: v == "1",
    )
    concluded_on = forms.DateField(label=_("Concluded on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DischargeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DischargeOutcome.choices)
    discharged_on = forms.DateField(label=_("Left on"), widget=DateInput())
    destination = forms.CharField(label=_("Destination"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
