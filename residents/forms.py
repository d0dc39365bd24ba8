from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        widget=TelInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )


MEMBER_ROWS = 6


def _community_choices():
    """Every community of the city, grouped by district and sub-district (about two hundred)."""
    from core.models import Division, DivisionLevel

    communities = (
        Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True)
        .select_related("parent", "parent__parent")
        .order_by("code")
    )
    groups: dict[str, list] = {}
    for community in communities:
        sub = community.parent
        label = f"{sub.parent.name} {sub.name}" if sub and sub.parent else (sub.name if sub else "")
        groups.setdefault(label, []).append((community.code, community.name))
    return [("", _("Choose your community")), *groups.items()]


class ApplicationForm(forms.Form):
    """The resident's application; the first member row is the applicant."""

    kind = forms.ChoiceField(label=_("What do you apply for?"), widget=forms.RadioSelect)
    community = forms.ChoiceField(label=_("Your community"))
    address = forms.CharField(label=_("Address"), max_length=200)
    area_type = forms.ChoiceField(label=_("Urban or rural"))
    monthly_income = forms.DecimalField(
        label=_("The household's total income a month (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("Why do you apply?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.DecimalField(
        label=_("Amount asked (temporary relief only, yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    photo = forms.FileField(
        label=_("Photo or scan of a document (ID card, household register, income proof)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
    )
    photo_kind = forms.ChoiceField(label=_("What is on it?"), required=False)
    authorization = forms.BooleanField(
        label=_(
            "I authorize the civil-affairs department to check my family's income and property with the banks, "
            "tax, housing, vehicle and social-insurance records (economic-situation check), and I confirm that "
            "what I wrote is true."
        ),
        # The check is the service's (residents.services.authorization_check), the API's too: one rule, one
        # message; clean_authorization below runs it so the form shows it beside the other fields' errors.
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(self, *args, **kwargs):
        from documents.models import AttachmentKind
        from people.models import AreaType, Relationship
        from residents.models import Scheme

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Scheme.choices
        self.fields["community"].choices = _community_choices()
        self.fields["area_type"].choices = AreaType.choices
        self.fields["photo_kind"].choices = [
            (k, label) for k, label in AttachmentKind.choices if k not in ("home_visit", "authorization")
        ]
        for i in range(MEMBER_ROWS):
            first = i == 0
            self.fields[f"member_{i}_name"] = forms.CharField(
                label=_("Your name") if first else _("Name"), max_length=50, required=first
            )
            self.fields[f"member_{i}_id_number"] = forms.CharField(
                label=_("Your ID number") if first else _("ID number"), max_length=18, required=first
            )
            self.fields[f"member_{i}_relationship"] = forms.ChoiceField(
                label=_("Relationship to the head of household"),
                choices=Relationship.choices if first else [("", "—"), *Relationship.choices],
                required=first,
                initial=Relationship.HEAD if first else "",
            )

    def clean_authorization(self):
        from core.errors import InvalidInput
        from residents.services import authorization_check

        authorized = self.cleaned_data.get("authorization") is True
        try:
            authorization_check(authorized)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None
        return authorized

    def member_rows(self):
        return [
            (self[f"member_{i}_name"], self[f"member_{i}_id_number"], self[f"member_{i}_relationship"])
            for i in range(MEMBER_ROWS)
        ]

    def members(self) -> list[dict]:
        rows = []
        for i in range(MEMBER_ROWS):
            name = self.cleaned_data.get(f"member_{i}_name", "")
            number = self.cleaned_data.get(f"member_{i}_id_number", "")
            relationship = self.cleaned_data.get(f"member_{i}_relationship", "")
            if name or number:
                rows.append({"id_number": number, "name": name, "relationship": relationship})
        return rows


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo or scan of a document"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
    )
    photo_kind = forms.ChoiceField(label=_("What is on it?"))

    def __init__(self, *args, **kwargs):
        from documents.models import AttachmentKind

        super().__init__(*args, **kwargs)
        self.fields["photo_kind"].choices = [
            (k, label) for k, label in AttachmentKind.choices if k not in ("home_visit", "authorization")
        ]
