from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from charity.models import DonationKind, DonorType
from core.forms import DateInput

DATE_WIDGET = DateInput()


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    donor_type = forms.ChoiceField(label=_("Donor type"), choices=DonorType.choices, initial=DonorType.PERSON)
    donor_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    anonymous = forms.BooleanField(label=_("Withhold the donor's name from the public list"), required=False)
    recipient_org = forms.ChoiceField(label=_("Recipient organization"))
    kind = forms.ChoiceField(label=_("Money or goods"), choices=DonationKind.choices, initial=DonationKind.MONEY)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Money: the amount given. Goods: their value, when known."),
    )
    items = forms.CharField(label=_("Goods"), max_length=500, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    custodian = forms.CharField(label=_("Custodian"), max_length=100)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    purpose = forms.CharField(label=_("Purpose"), max_length=500, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_org"].choices = [(o.pk, o.name) for o in orgs]


class UseForm(forms.Form):
    used_on = forms.DateField(label=_("Used on"), widget=DATE_WIDGET)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)
    beneficiary = forms.CharField(label=_("Given to"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=0, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
