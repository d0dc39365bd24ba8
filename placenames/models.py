"""Place names: the gazetteer of named roads, the unnamed-road inventory, naming applications.

A naming application moves proposed → checked → expert review → public notice → approved →
published (or rejected / withdrawn) through ``placenames.services`` alone; each move is an
append-only ``ApplicationTransition``. Publishing adds the road to the gazetteer and closes the
unnamed road it names. The gazetteer holds each current name once in the city (a unique
index), so two publications of one name cannot both succeed.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Division
from core.roles import Cap
from core.search import chars_index


class RoadType(models.TextChoices):
    AVENUE = "avenue", _("Avenue (大道)")
    ROAD = "road", _("Road (路)")
    STREET = "street", _("Street (街)")
    LANE = "lane", _("Lane (巷/里)")
    HIGHWAY = "highway", _("Highway (公路)")
    OTHER = "other", _("Other")


class RoadStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    RETIRED = "retired", _("Retired")


@pghistory.track()
class Road(models.Model):
    """A named road in the gazetteer (标准地名录)."""

    scope_field = "district"
    scope_view_cap = Cap.PLACENAME_VIEW

    name = models.CharField(_("name"), max_length=30)
    pinyin = models.CharField(_("pinyin"), max_length=120)
    pinyin_key = models.CharField(_("pinyin without tones"), max_length=120, db_index=True, editable=False)
    district = models.ForeignKey(
        Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    road_type = models.CharField(_("type"), max_length=10, choices=RoadType.choices)
    start_point = models.CharField(_("starts at"), max_length=100, blank=True)
    end_point = models.CharField(_("ends at"), max_length=100, blank=True)
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    meaning = models.CharField(_("origin and meaning"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=RoadStatus.choices, default=RoadStatus.CURRENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        indexes = [
            models.Index(fields=["district", "name"], name="road_district_name"),
            chars_index("name", name="road_name_chars"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(status="current"), name="road_name_unique_in_city"),
        ]

    def __str__(self) -> str:
        return self.name


class UnnamedRoadStatus(models.TextChoices):
    UNNAMED = "unnamed", _("Awaiting a name")
    NAMING = "naming", _("Naming in progress")
    NAMED = "named", _("Named")
    REMOVED = "removed", _("No longer needs a name")


@pghistory.track()
class UnnamedRoad(models.Model):
    """A road found without a name in a survey (无名路摸排)."""

    scope_field = "district"
    scope_view_cap = Cap.PLACENAME_VIEW

    location = models.CharField(_("location"), max_length=200)
    district = models.ForeignKey(
        Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    found_on = models.DateField(_("found on"))
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=UnnamedRoadStatus.choices, default=UnnamedRoadStatus.UNNAMED
    )
    named_as = models.ForeignKey(
        Road, verbose_name=_("named as"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unnamed road")
        verbose_name_plural = _("unnamed roads")
        indexes = [models.Index(fields=["district", "status"], name="unnamed_road_district_status")]

    def __str__(self) -> str:
        return self.location


class ApplicationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHECKED = "checked", _("Checks passed")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    ApplicationStatus.PROPOSED,
    ApplicationStatus.CHECKED,
    ApplicationStatus.EXPERT_REVIEW,
    ApplicationStatus.PUBLIC_NOTICE,
    ApplicationStatus.APPROVED,
)


@pghistory.track()
class NamingApplication(models.Model):
    """A proposal to name a road, from proposal to publication in the gazetteer."""

    scope_field = "district"
    scope_view_cap = Cap.PLACENAME_VIEW

    proposed_name = models.CharField(_("proposed name"), max_length=30)
    pinyin = models.CharField(_("pinyin"), max_length=120)
    pinyin_key = models.CharField(_("pinyin without tones"), max_length=120, db_index=True, editable=False)
    district = models.ForeignKey(
        Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    road_type = models.CharField(_("type"), max_length=10, choices=RoadType.choices, default=RoadType.ROAD)
    unnamed_road = models.ForeignKey(
        UnnamedRoad,
        verbose_name=_("unnamed road"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    start_point = models.CharField(_("starts at"), max_length=100, blank=True)
    end_point = models.CharField(_("ends at"), max_length=100, blank=True)
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True)
    meaning = models.CharField(_("origin and meaning"), max_length=500, blank=True)
    applicant = models.CharField(_("applicant"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=ApplicationStatus.choices)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    expert_opinion = models.CharField(_("experts' opinion"), max_length=1000, blank=True)
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    objections = models.CharField(_("objections received"), max_length=1000, blank=True)
    approval_document = models.CharField(_("approval document"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    road = models.ForeignKey(
        Road, verbose_name=_("road"), on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("naming application")
        verbose_name_plural = _("naming applications")
        indexes = [models.Index(fields=["district", "status"], name="naming_app_district_status")]
        constraints = [
            # One open application per unnamed road.
            models.UniqueConstraint(
                fields=["unnamed_road"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="naming_app_one_open_per_road",
            ),
        ]

    def __str__(self) -> str:
        return self.proposed_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationTransition(models.Model):
    """Every step of a naming application: who, when, from what to what, why. Append-only."""

    application = models.ForeignKey(
        NamingApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "id"]
        triggers = [
            pgtrigger.Protect(name="naming_transition_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '-'} → {self.to_status}"


@pghistory.track()
class BannedWord(models.Model):
    """A word no road name may contain (configurable by place-name officers)."""

    scope_field = None  # one list for the whole city
    scope_view_cap = Cap.PLACENAME_VIEW

    word = models.CharField(_("word"), max_length=20, unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
