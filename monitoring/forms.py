"""Browser forms of low-income monitoring: they check shapes; the services check rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import ExpenseKind, Outcome


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of expense"), choices=ExpenseKind.choices)
    month = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class HandleForm(forms.Form):
    """How a warning was handled; "assisted" names the case or claim of the household it led to."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    assisted_with = forms.ChoiceField(
        label=_("Assisted with"),
        required=False,
        help_text=_("For “Assisted”: the household's case or claim the help was given with."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, assistance_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assisted_with"].choices = [("", "—"), *assistance_choices]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"outcome": data["outcome"], "note": data["note"]}
        if data.get("assisted_with"):
            name, _sep, pk = data["assisted_with"].partition(":")
            kwargs[name] = int(pk)
        return kwargs


class AtRiskForm(forms.Form):
    """Flag a household at risk, or clear its flag: the reason is what the next reader needs."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RunForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
