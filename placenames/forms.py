from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from placenames.models import RoadType

DATE_WIDGET = DateInput()


class _DistrictMixin:
    def set_districts(self, districts):
        self.fields["district"].choices = [(d.code, d.name) for d in districts]


class RoadForm(_DistrictMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    district = forms.ChoiceField(label=_("District"))
    road_type = forms.ChoiceField(label=_("Type"), choices=RoadType.choices, initial=RoadType.ROAD)
    start_point = forms.CharField(label=_("Starts at"), max_length=100, required=False)
    end_point = forms.CharField(label=_("Ends at"), max_length=100, required=False)
    length_m = forms.IntegerField(label=_("Length (m)"), min_value=1, required=False)
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=DATE_WIDGET)
    meaning = forms.CharField(label=_("Origin and meaning"), max_length=500, required=False, widget=forms.Textarea)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_districts(districts)


class UnnamedRoadForm(_DistrictMixin, forms.Form):
    location = forms.CharField(label=_("Location"), max_length=200)
    district = forms.ChoiceField(label=_("District"))
    found_on = forms.DateField(label=_("Found on"), required=False, widget=DATE_WIDGET)
    length_m = forms.IntegerField(label=_("Length (m)"), min_value=1, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False, widget=forms.Textarea)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_districts(districts)


class ApplicationForm(_DistrictMixin, forms.Form):
    proposed_name = forms.CharField(label=_("Proposed name"), max_length=40)
    district = forms.ChoiceField(label=_("District"))
    road_type = forms.ChoiceField(label=_("Type"), choices=RoadType.choices, initial=RoadType.ROAD)
    unnamed_road = forms.TypedChoiceField(label=_("Unnamed road"), coerce=int, required=False, empty_value=None)
    start_point = forms.CharField(label=_("Starts at"), max_length=100, required=False)
    end_point = forms.CharField(label=_("Ends at"), max_length=100, required=False)
    length_m = forms.IntegerField(label=_("Length (m)"), min_value=1, required=False)
    meaning = forms.CharField(label=_("Origin and meaning"), max_length=500, required=False, widget=forms.Textarea)
    applicant = forms.CharField(label=_("Applicant"), max_length=100, required=False)

    def __init__(self, *args, districts=(), unnamed_roads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_districts(districts)
        self.fields["unnamed_road"].choices = [("", "—")] + [
            (r.pk, f"{r.district.name} · {r.location}") for r in unnamed_roads
        ]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=1000)


class NoticeForm(forms.Form):
    expert_opinion = forms.CharField(label=_("Experts' opinion"), max_length=1000, widget=forms.Textarea)
    notice_from = forms.DateField(label=_("Notice starts on"), required=False, widget=DATE_WIDGET)


class ApproveForm(forms.Form):
    approval_document = forms.CharField(label=_("Approval document number"), max_length=100)
    objections = forms.CharField(
        label=_("Objections received during the notice"), max_length=1000, required=False, widget=forms.Textarea
    )
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=DATE_WIDGET)


class BannedWordForm(forms.Form):
    word = forms.CharField(label=_("Word"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
