"""Browser forms of data checking: they check shapes; the services check rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from datacheck.models import Effect


class DataSourceForm(forms.Form):
    department = forms.CharField(label=_("Department"), max_length=100)
    item = forms.CharField(label=_("Data item"), max_length=100)
    effect = forms.ChoiceField(label=_("What a hit means"), choices=Effect.choices)


class ExtractUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Extract file"),
        help_text=_("CSV or Excel (.xlsx). A death register has the columns id_number, event_date."),
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(
        label=_("For the benefits"),
        choices=[("suspend", _("Suspend them")), ("terminate", _("End them from next month"))],
        required=False,
        initial="suspend",
    )


class DismissForm(forms.Form):
    note = forms.CharField(label=_("Reason for dismissing"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
