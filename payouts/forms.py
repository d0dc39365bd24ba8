"""Browser forms of payouts: they check types; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.cases import current_month, month_str
from payouts.models import FileFormat
from payouts.schemes import SCHEMES


class StartRunForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=())
    period = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}), help_text=_("YYYY-MM")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(code, s.label) for code, s in SCHEMES.items() if s.available()]
        self.fields["period"].initial = month_str(current_month())


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FileFormat.choices, initial=FileFormat.CSV)


class ReturnUploadForm(forms.Form):
    file = forms.FileField(label=_("Bank return file (CSV or XLSX)"))
