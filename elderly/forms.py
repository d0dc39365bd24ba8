from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput
from elderly.models import CentreStage, ClosedReason, InstitutionKind, InstitutionStatus, Risk, VisitorRole

DATE_WIDGET = DateInput()


class CentreForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    subdistrict = forms.ChoiceField(label=_("Sub-district"))
    stage = forms.ChoiceField(label=_("Stage reached"), choices=CentreStage.choices, initial=CentreStage.SITE)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=200, required=False)
    site_chosen_on = forms.DateField(label=_("Site chosen on"), required=False, widget=DATE_WIDGET)
    operator = forms.CharField(label=_("Operator"), max_length=100, required=False)
    operator_contracted_on = forms.DateField(label=_("Operator contracted on"), required=False, widget=DATE_WIDGET)
    built_on = forms.DateField(label=_("Built on"), required=False, widget=DATE_WIDGET)
    operating_since = forms.DateField(label=_("Operating since"), required=False, widget=DATE_WIDGET)
    beds = forms.IntegerField(label=_("Beds"), min_value=0, max_value=5000, required=False)
    services = forms.CharField(
        label=_("Services offered"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, subdistricts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].choices = [(d.code, f"{d.parent.name} · {d.name}") for d in subdistricts]


class CentreEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=200, required=False)
    operator = forms.CharField(label=_("Operator"), max_length=100, required=False)
    beds = forms.IntegerField(label=_("Beds"), min_value=0, max_value=5000, required=False)
    services = forms.CharField(
        label=_("Services offered"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CentreStepForm(forms.Form):
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET, help_text=_("Empty: today."))
    operator = forms.CharField(label=_("Operator"), max_length=100, required=False)
    beds = forms.IntegerField(label=_("Beds"), min_value=0, max_value=5000, required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if action != "contract":
            del self.fields["operator"]
        else:
            self.fields["operator"].required = True
        if action != "open":
            del self.fields["beds"]


class InstitutionEditForm(forms.Form):
    """An institution's particulars as they are corrected; ``elderly.services`` checks them."""

    name = forms.CharField(label=pgettext_lazy("organization", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=200, required=False)
    operator = forms.CharField(
        label=_("Operator"),
        max_length=100,
        required=False,
        help_text=_("Empty with a credit code below: the organization's name."),
    )
    operator_credit_code = forms.CharField(
        label=_("Operator's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("When a registered social organization runs it."),
    )
    beds = forms.IntegerField(label=_("Beds"), min_value=0, max_value=5000, required=False)
    licensed_on = forms.DateField(label=_("Licensed or filed on"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("Status"), choices=InstitutionStatus.choices, initial=InstitutionStatus.OPERATING
    )


class InstitutionForm(InstitutionEditForm):
    subdistrict = forms.ChoiceField(label=_("Sub-district"))
    field_order = ["name", "kind", "subdistrict"]

    def __init__(self, *args, subdistricts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].choices = [(d.code, f"{d.parent.name} · {d.name}") for d in subdistricts]


class ElderForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, help_text=_("The person must already be in a rural household.")
    )
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices, initial=Risk.NORMAL)
    living_situation = forms.CharField(
        label=_("Living situation"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    family_contact = forms.CharField(label=_("Family contact"), max_length=100, required=False)
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DATE_WIDGET)


class ElderEditForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices)
    living_situation = forms.CharField(
        label=_("Living situation"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    family_contact = forms.CharField(label=_("Family contact"), max_length=100, required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE_WIDGET)
    visitor = forms.CharField(label=_("Visitor"), max_length=50)
    visitor_role = forms.ChoiceField(
        label=_("Visitor's role"), choices=VisitorRole.choices, initial=VisitorRole.SOCIAL_WORKER
    )
    findings = forms.CharField(label=_("Findings"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("Follow-up"), max_length=500, required=False)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for leaving"), choices=ClosedReason.choices)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET, help_text=_("Empty: today."))


class SubsidyForm(forms.Form):
    """An operating subsidy as it is entered; ``elderly.services.subsidy_create`` checks it."""

    centre = forms.ChoiceField(label=_("Sub-district centre"), required=False)
    institution = forms.ChoiceField(label=_("or institution"), required=False)
    period = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    bank_name = forms.CharField(label=_("Bank"), max_length=60)
    bank_account = forms.CharField(label=_("Bank account (in the institution's name)"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, centres=(), institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [("", "—")] + [(c.pk, f"{c.subdistrict.name} · {c.name}") for c in centres]
        self.fields["institution"].choices = [("", "—")] + [
            (i.pk, f"{i.subdistrict.name} · {i.name}") for i in institutions
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("centre")) == bool(data.get("institution")):
            raise forms.ValidationError(_("Choose the one centre or institution the subsidy is paid to."))
        return data
