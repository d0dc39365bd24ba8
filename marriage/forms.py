from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput
from marriage.models import Kind
from people.forms import IdNumberField

DATE_WIDGET = DateInput()


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Registration"),
        choices=[
            (Kind.MARRIAGE, pgettext_lazy("registration kind", "Marriage registration")),
            (Kind.DIVORCE, _("Divorce by agreement (application)")),
        ],
    )
    office = forms.ChoiceField(label=_("Registry office"))
    party_a = IdNumberField(label=_("Party A: ID number"))
    party_b = IdNumberField(label=_("Party B: ID number"))
    applied_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave blank for today; an earlier date records a paper registration."),
    )
    declarations_signed = forms.BooleanField(
        label=_("Both parties are present with valid ID and have signed the declarations"),
        required=True,
        help_text=_(
            "Marriage: no spouse, no prohibited kinship, of their own will. Divorce: the agreement on children, "
            "property and debts."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.pk, o.name) for o in offices]


class RegisterDivorceForm(forms.Form):
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    both_present = forms.BooleanField(label=_("Both parties appeared in person"), required=True)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class WithdrawForm(forms.Form):
    party = forms.ChoiceField(label=_("Withdrawn by"))
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, p.name) for p in parties]


class ReissueForm(forms.Form):
    party = forms.ChoiceField(label=_("Reissued to"))
    note = forms.CharField(label=_("Reason (lost, damaged…)"), max_length=500, required=False)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, p.name) for p in parties]


class ReviewForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[("pass", _("Pass")), ("fail", _("Fail"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RevertForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reverting"), max_length=300)


class AppointmentForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name_a = forms.CharField(label=_("Name of party A"), max_length=50)
    name_b = forms.CharField(label=_("Name of party B"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=200, required=False)
    daily_capacity = forms.IntegerField(label=_("Appointments per day"), min_value=0, max_value=1000)
    open_weekends = forms.BooleanField(label=_("Open at weekends"), required=False)


class CapacityForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    capacity = forms.IntegerField(label=_("Appointments (0 closes the day)"), min_value=0, max_value=1000)
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class StatisticsForm(forms.Form):
    month_from = forms.CharField(label=_("From (YYYY-MM)"), max_length=7, required=False)
    month_to = forms.CharField(label=_("To (YYYY-MM)"), max_length=7, required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("All offices")), *[(o.pk, o.name) for o in offices]]


class OnlineAppointmentForm(forms.Form):
    """A resident's booking on the resident site: the day among those with places left, the two parties."""

    kind = forms.ChoiceField(
        label=_("Registration"),
        choices=[
            (Kind.MARRIAGE, pgettext_lazy("registration kind", "Marriage registration")),
            (Kind.DIVORCE, _("Divorce registration")),
        ],
        widget=forms.RadioSelect,
    )
    date = forms.ChoiceField(label=_("Day"), widget=forms.RadioSelect)
    party_a_id_number = IdNumberField(label=_("Party A: ID number"))
    name_a = forms.CharField(label=_("Party A: name"), max_length=50, required=False)
    party_b_id_number = IdNumberField(label=_("Party B: ID number"))
    name_b = forms.CharField(label=_("Party B: name"), max_length=50, required=False)

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Every open day of the window: a day that filled since the page was shown is refused by the
        # service (fully booked), in words, not as "not a valid choice".
        self.fields["date"].choices = [(d["date"].isoformat(), d["date"].isoformat()) for d in days if d["capacity"]]
        for name in ("party_a_id_number", "party_b_id_number"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def clean_date(self):
        return datetime.date.fromisoformat(self.cleaned_data["date"])
