from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput
from social_orgs.models import (
    ApprovalBody,
    CaseOutcome,
    CaseSource,
    CommunityCategory,
    DecouplingStep,
    InspectionResult,
    Level,
    OrgType,
)

DATE_WIDGET = DateInput()


class OrgForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30)
    org_type = forms.ChoiceField(label=_("Type"), choices=OrgType.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    division = forms.ChoiceField(label=_("Registering district (district level)"), required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50)
    supervising_unit = forms.CharField(label=_("Supervising unit"), max_length=100, required=False)
    founded_on = forms.DateField(label=_("Registered on"), widget=DATE_WIDGET)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=200, required=False)
    business_scope = forms.CharField(label=_("Business scope"), max_length=500, required=False, widget=forms.Textarea)
    registered_capital = forms.DecimalField(
        label=_("Registered capital (CNY)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    is_industry_association = forms.BooleanField(label=_("Industry association or chamber"), required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", "—"), *[(d.code, d.name) for d in districts]]


class StatusForm(forms.Form):
    on = forms.DateField(label=_("Effective date"), required=False, widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason / grounds"), max_length=500, required=False)


class InspectionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2999)
    result = forms.ChoiceField(label=_("Result"), choices=InspectionResult.choices)
    submitted_on = forms.DateField(label=_("Report submitted on"), required=False, widget=DATE_WIDGET)
    concluded_on = forms.DateField(label=_("Concluded on"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FeeForm(forms.Form):
    member_grade = forms.CharField(label=_("Member grade"), max_length=50)
    amount = forms.DecimalField(label=_("Amount per year (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FeeApproveForm(forms.Form):
    approval_body = forms.ChoiceField(label=_("Approved by"), choices=ApprovalBody.choices)
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE_WIDGET)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_present = forms.IntegerField(label=_("Members present"), min_value=1)


class DecouplingForm(forms.Form):
    administrative_organ = forms.CharField(label=_("Administrative organ"), max_length=100)
    in_scope = forms.BooleanField(label=_("In the reform's scope"), required=False, initial=True)
    batch = forms.CharField(label=_("Batch"), max_length=30, required=False)


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=DecouplingStep.choices)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, done=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [c for c in DecouplingStep.choices if c[0] not in done]


class CommunityOrgForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"))
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=CommunityCategory.choices)
    person_in_charge = forms.CharField(label=_("Person in charge"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    members_count = forms.IntegerField(label=_("Members"), min_value=0, initial=0)
    filed_on = forms.DateField(label=_("Filed on"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, f"{c.parent.name} · {c.name}") for c in communities]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=1000)


class CaseForm(forms.Form):
    target_name = forms.CharField(label=_("Organization investigated"), max_length=100)
    source = forms.ChoiceField(label=_("Source"), choices=CaseSource.choices)
    reported_on = forms.DateField(label=_("Reported on"), required=False, widget=DATE_WIDGET)
    summary = forms.CharField(label=_("Summary"), max_length=1000, widget=forms.Textarea)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    outcome_note = forms.CharField(label=_("Outcome details"), max_length=1000, widget=forms.Textarea)
    concluded_on = forms.DateField(label=_("Concluded on"), required=False, widget=DATE_WIDGET)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"))
