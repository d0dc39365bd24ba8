"""Marriage registration: offices, the register of marriages, divorces and reissues, appointments.

A marriage is one ``Registration`` of kind ``marriage``; the union it creates is held by two
``MarriageParty`` rows, and the database allows each person one current union at a time.
A divorce is a ``Registration`` of kind ``divorce`` pointing at the marriage it ends; from
1 January 2021 it starts as an application in cooling-off. Status moves only through
``marriage.services`` (one transitions map), each move an append-only ``RegistrationTransition``.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.idnumbers import mask_id_number, mask_phone
from core.models import Division
from core.roles import Cap
from people.models import Household, Person, Relationship


class Kind(models.TextChoices):
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    REISSUE = "reissue", _("Certificate reissue")


# What an appointment is booked for: a registration of two parties (a reissue needs none).
BOOKABLE_KINDS = [(Kind.MARRIAGE, Kind.MARRIAGE.label), (Kind.DIVORCE, Kind.DIVORCE.label)]


class Status(models.TextChoices):
    COOLING_OFF = "cooling_off", _("In cooling-off")
    REGISTERED = "registered", _("Registered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed")


class EndReason(models.TextChoices):
    DIVORCE = "divorce", _("Divorce")
    DEATH = "death", _("Death of a spouse")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


@pghistory.track()
class Office(models.Model):
    """A marriage registry office (婚姻登记处): one per district, identified by the district code."""

    scope_field = "division"
    scope_view_cap = Cap.MARRIAGE_VIEW
    scope_citywide_cap = Cap.MARRIAGE_CITYWIDE

    division = models.OneToOneField(
        Division, verbose_name=_("district"), primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(pgettext_lazy("place", "address"), max_length=200, blank=True)
    daily_capacity = models.PositiveSmallIntegerField(_("appointments per day"), default=40)
    open_weekends = models.BooleanField(_("open at weekends"), default=False)

    class Meta:
        verbose_name = _("registry office")
        verbose_name_plural = _("registry offices")
        ordering = ["division"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def default_name(division: Division) -> str:
        return f"{division.name}婚姻登记处"


@pghistory.track()
class CapacityOverride(models.Model):
    """A day with other capacity than usual (a holiday: 0; a popular date such as 5.20: more)."""

    scope_field = "office"
    scope_view_cap = Cap.MARRIAGE_VIEW
    scope_citywide_cap = Cap.MARRIAGE_CITYWIDE

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("date"))
    capacity = models.PositiveSmallIntegerField(_("appointments"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("capacity of a day")
        verbose_name_plural = _("capacities of days")
        constraints = [models.UniqueConstraint(fields=["office", "date"], name="capacity_override_one_per_day")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.date}: {self.capacity}"


class CertificateCounter(models.Model):
    """The last certificate number given per office, year and series (J marriage, L divorce, BJ/BL reissue).

    Incremented by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: PostgreSQL's row lock
    serialises concurrent registrations, so no number is given twice and none is skipped.
    """

    office = models.ForeignKey(Division, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("series"), max_length=2)
    last_number = models.PositiveIntegerField(_("last number"))

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "series"], name="certificate_counter_office_year"),
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.office_id}-{self.year}: {self.last_number}"


@pghistory.track()
class Registration(models.Model):
    """One act in the marriage register: a marriage, a divorce (application and registration), a reissue."""

    scope_field = "office"
    scope_view_cap = Cap.MARRIAGE_VIEW
    scope_citywide_cap = Cap.MARRIAGE_CITYWIDE

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    party_a = models.ForeignKey(Person, verbose_name=_("party A"), on_delete=models.PROTECT, related_name="+")
    party_b = models.ForeignKey(Person, verbose_name=_("party B"), on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        Division, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    applied_on = models.DateField(_("applied on"))
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    cooling_off_until = models.DateField(_("cooling-off until"), null=True, blank=True)
    appear_by = models.DateField(_("parties to appear by"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=24, null=True, blank=True, unique=True)
    marriage = models.ForeignKey(
        "self",
        verbose_name=_("marriage ended"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="divorces",
        limit_choices_to={"kind": Kind.MARRIAGE},
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("record reissued"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
    )
    ended_on = models.DateField(_("marriage ended on"), null=True, blank=True)
    end_reason = models.CharField(_("ended by"), max_length=10, choices=EndReason.choices, blank=True)
    declarations_signed = models.BooleanField(_("declarations signed"), default=False)
    withdrawn_by = models.ForeignKey(
        Person, verbose_name=_("withdrawn by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrar"), on_delete=models.PROTECT, related_name="+"
    )
    review_status = models.CharField(
        _("quality review"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_reason = models.CharField(_("review reason"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("marriage registration")
        verbose_name_plural = _("marriage registrations")
        indexes = [
            models.Index(fields=["office", "registered_on"], name="registration_office_day"),
            models.Index(fields=["party_a", "kind"], name="registration_party_a"),
            models.Index(fields=["party_b", "kind"], name="registration_party_b"),
            models.Index(fields=["status", "appear_by"], name="registration_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(party_a=models.F("party_b")), name="registration_two_people"),
            models.CheckConstraint(
                condition=Q(status="registered", registered_on__isnull=False) | ~Q(status="registered"),
                name="registration_registered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="divorce") | Q(marriage__isnull=False), name="registration_divorce_names_marriage"
            ),
            models.CheckConstraint(
                condition=~Q(kind="reissue") | Q(original__isnull=False), name="registration_reissue_names_original"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_number or self.pk}"

    @property
    def is_current_marriage(self) -> bool:
        return self.kind == Kind.MARRIAGE and self.status == Status.REGISTERED and self.ended_on is None


class MarriageParty(models.Model):
    """A spouse in a union. The partial unique index holds "one current union per person" in the database."""

    marriage = models.ForeignKey(
        Registration, verbose_name=_("marriage"), on_delete=models.PROTECT, related_name="parties"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    current = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("spouse")
        verbose_name_plural = _("spouses")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(current=True), name="one_current_marriage_each"),
            models.UniqueConstraint(fields=["marriage", "person"], name="marriage_party_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.marriage_id}"


class RegistrationTransition(models.Model):
    """Every status change of a registration: who, when, from what to what, why. Append-only."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    on = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["at", "id"]
        triggers = [
            pgtrigger.Protect(name="registration_transition_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_status or '-'} → {self.to_status}"


class HouseholdChangeStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REVERTED = "reverted", _("Reverted")


@pghistory.track()
class HouseholdChange(models.Model):
    """A change a marriage or divorce made to a household record (a member's relationship to the head).

    Kept so an officer can see it and undo it.
    """

    scope_field = "household__community"
    scope_view_cap = Cap.MARRIAGE_HOUSEHOLD_REVERT
    scope_citywide_cap = Cap.MARRIAGE_CITYWIDE

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="household_changes"
    )
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    old_relationship = models.CharField(_("relationship before"), max_length=12, choices=Relationship.choices)
    new_relationship = models.CharField(_("relationship after"), max_length=12, choices=Relationship.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=HouseholdChangeStatus.choices, default=HouseholdChangeStatus.APPLIED
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    revert_reason = models.CharField(_("reason for reverting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("household change")
        verbose_name_plural = _("household changes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.old_relationship} → {self.new_relationship}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


@pghistory.track()
class Appointment(models.Model):
    """A booked slot at an office on a day. The office's row lock keeps the day within capacity.

    Booked at the counter by a registrar (``booked_by``) or online by a resident (``resident``, with
    both parties' ID numbers); both count against the same daily capacity.
    """

    scope_field = "office"
    scope_view_cap = Cap.MARRIAGE_APPOINTMENTS
    scope_citywide_cap = Cap.MARRIAGE_CITYWIDE

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="appointments")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_a = models.CharField(_("name of party A"), max_length=50, blank=True)
    name_b = models.CharField(_("name of party B"), max_length=50, blank=True)
    party_a_id_number = models.CharField(_("ID number of party A"), max_length=18, blank=True)
    party_b_id_number = models.CharField(_("ID number of party B"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("booked online by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["office", "date", "status"], name="appointment_office_day"),
            models.Index(fields=["party_a_id_number", "status", "date"], name="appointment_party_a"),
            models.Index(fields=["party_b_id_number", "status", "date"], name="appointment_party_b"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked_by__isnull=False, resident__isnull=True)
                | Q(booked_by__isnull=True, resident__isnull=False, party_a_id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="appointment_counter_or_online",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.date} {self.name_a or mask_id_number(self.party_a_id_number)}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def party_a_id_number_masked(self) -> str:
        return mask_id_number(self.party_a_id_number)

    @property
    def party_b_id_number_masked(self) -> str:
        return mask_id_number(self.party_b_id_number)

    @property
    def booked_online(self) -> bool:
        return self.resident_id is not None
