from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.models import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"), allow_empty_file=True)
