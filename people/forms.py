from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.idnumbers import parse_id_number
from core.models import Division
from core.textsafety import validate_plain_text
from people.models import AreaType, MeansOccasion, Relationship


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 18)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            return parse_id_number(value).number
        return value


class PersonForm(forms.Form):
    id_number = IdNumberField(label=_("ID number"))
    name = forms.CharField(label=_("Name"), max_length=50, validators=[validate_plain_text])
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class PersonEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, validators=[validate_plain_text])
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class DeathForm(forms.Form):
    death_date = forms.DateField(label=_("Date of death"), widget=DateInput())
    note = forms.CharField(
        label=_("Evidence"),
        max_length=1000,
        required=False,
        help_text=_("E.g. the death certificate or the notice it came from."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, validators=[validate_plain_text])


class HouseholdForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Division.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, validators=[validate_plain_text])
    area_type = forms.ChoiceField(label=_("Urban or rural"), choices=AreaType.choices)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False, validators=[validate_plain_text])
    bank_account = forms.RegexField(
        label=_("Bank account"),
        max_length=32,
        required=False,
        regex=r"^[0-9 ]*$",
        error_messages={"invalid": _("A bank account number has digits only.")},
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities
            self.fields["community"].label_from_instance = lambda d: f"{d.parent.name} · {d.name}"


class HouseholdEditForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=200, validators=[validate_plain_text])
    area_type = forms.ChoiceField(label=_("Urban or rural"), choices=AreaType.choices)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False, validators=[validate_plain_text])
    bank_account = forms.RegexField(
        label=_("Bank account"),
        max_length=32,
        required=False,
        regex=r"^[0-9 ]*$",
        error_messages={"invalid": _("A bank account number has digits only.")},
    )


class MemberForm(forms.Form):
    """One member row: an ID number (new people are registered on the spot), a name, a relationship."""

    id_number = IdNumberField(label=_("ID number"))
    name = forms.CharField(label=_("Name"), max_length=50, validators=[validate_plain_text])
    relationship = forms.ChoiceField(label=_("Relationship to head"), choices=Relationship.choices)


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not rows:
            raise ValidationError(_("A household needs at least one member, its head."))
        heads = [r for r in rows if r["relationship"] == Relationship.HEAD]
        if len(heads) != 1:
            raise ValidationError(_("Exactly one member must be the head of household."))
        numbers = [r["id_number"] for r in rows]
        if len(set(numbers)) != len(numbers):
            raise ValidationError(_("The same ID number is listed twice."))


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, max_num=30)


class AddMemberForm(MemberForm):
    relationship = forms.ChoiceField(
        label=_("Relationship to head"), choices=[c for c in Relationship.choices if c[0] != Relationship.HEAD]
    )


class MeansForm(forms.Form):
    """A household's total monthly income as found out outside a case (a visit, a refused application)."""

    monthly_income = forms.DecimalField(
        label=_("Household monthly income"), min_value=0, max_digits=12, decimal_places=2
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput(), help_text=_("Empty: today."))
    occasion = forms.ChoiceField(label=_("Found out at"), choices=MeansOccasion.choices, initial=MeansOccasion.VISIT)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, validators=[validate_plain_text])
