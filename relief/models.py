"""Social assistance: standards, dibao, tekun, temporary relief, price-linked subsidy, vagrant relief.

The invariants the database can hold live here (one open case per household or person,
unique standard entries, positive amounts); the rules that need the calendar, the
standards table or the actor live in ``services.py`` and ``rules.py``.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.cases import (
    NOTICED_CASE_MACHINE,
    OPEN_STATUSES,
    ApprovalLevel,
    BenefitCase,
    StateMachine,
    Transition,
    local_today,
    work_queue_indexes,
)
from core.models import Division
from core.roles import Cap
from people.models import AreaType, Household, Person, Relationship

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- Standards --------------------------------------------------------------------------------


class Scheme(models.TextChoices):
    DIBAO = "dibao", _("Dibao (per person per month)")
    DIBAO_SUPPLEMENT_ELDERLY = "dibao_supplement_elderly", _("Dibao supplement: elderly member (per month)")
    DIBAO_SUPPLEMENT_DISABLED = "dibao_supplement_disabled", _("Dibao supplement: member with a disability (per month)")
    DIBAO_SUPPLEMENT_CHILD = "dibao_supplement_child", _("Dibao supplement: child member (per month)")
    TEKUN = "tekun", _("Tekun basic living standard (per month)")
    TEKUN_CARE_FULL = "tekun_care_full", _("Tekun care standard: fully self-caring (per month)")
    TEKUN_CARE_PARTIAL = "tekun_care_partial", _("Tekun care standard: partly self-caring (per month)")
    TEKUN_CARE_NONE = "tekun_care_none", _("Tekun care standard: unable to care for oneself (per month)")
    ORPHAN_INSTITUTION = "orphan_institution", _("Orphans raised in an institution (per month)")
    ORPHAN_COMMUNITY = "orphan_community", _("Orphans living in the community (per month)")
    DISABILITY_LIVING = "disability_living", _("Living subsidy for poor persons with disabilities (per month)")
    DISABILITY_NURSING = "disability_nursing", _("Nursing subsidy for severe disabilities (per month)")
    # Optional, where the amount differs by grade: in force, it takes precedence over the general entry.
    DISABILITY_NURSING_GRADE1 = "disability_nursing_grade1", _("Nursing subsidy, disability grade 1 (per month)")
    DISABILITY_NURSING_GRADE2 = "disability_nursing_grade2", _("Nursing subsidy, disability grade 2 (per month)")
    TEMPORARY_RELIEF_CAP = "temporary_relief_cap", _("Temporary relief: annual cap per household")
    TEMPORARY_RELIEF_SMALL_CLAIM = (
        "temporary_relief_small_claim",
        _("Temporary relief: the most a sub-district may approve"),
    )


# Schemes whose entries must name urban or rural.
AREA_SCHEMES = frozenset({Scheme.DIBAO})


@pghistory.track()
class Standard(models.Model):
    """One entry of a standards table: from ``effective_from`` on, ``amount`` applies.

    ``area_type`` is blank when the entry applies to urban and rural alike; ``division`` is
    null for the whole city, or a district's own entry: for a benefit standard the district's
    applies only where it is higher than the city's in force (a district may pay more, never less);
    the annual cap and the small-claim threshold take the district's entry where there is one.
    """

    scope_field = None  # reference data: the same for everyone signed in (api.md: everyone reads)
    scope_view_cap = None

    scheme = models.CharField(_("scheme"), max_length=32, choices=Scheme.choices)
    area_type = models.CharField(_("urban or rural"), max_length=5, choices=AreaType.choices, blank=True)
    division = models.ForeignKey(
        Division,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for the whole city."),
    )
    effective_from = models.DateField(_("effective from"))
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The document that sets it, or “demo value”.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["scheme", "area_type", "division", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "area_type", "division", "effective_from"],
                nulls_distinct=False,
                name="standard_one_entry_per_scheme_area_division_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="standard_amount_not_negative"),
            models.CheckConstraint(condition=Q(area_type__in=["", "urban", "rural"]), name="standard_area_type_known"),
        ]
        indexes = [models.Index(fields=["scheme", "effective_from"], name="standard_scheme_date")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.effective_from:%Y-%m-%d} {self.amount}"


class Power(models.TextChoices):
    DIBAO_APPROVAL = "dibao_approval", _("Dibao approval")
    TEKUN_APPROVAL = "tekun_approval", _("Tekun approval")


@pghistory.track()
class Delegation(models.Model):
    """Whether a district delegates an approval power to its sub-districts, from a date on."""

    district = models.ForeignKey(Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    power = models.CharField(_("power"), max_length=24, choices=Power.choices)
    effective_from = models.DateField(_("effective from"))
    delegated = models.BooleanField(_("delegated to sub-districts"), default=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation of approval power")
        verbose_name_plural = _("delegations of approval power")
        ordering = ["district", "power", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "power", "effective_from"], name="delegation_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.get_power_display()} {self.effective_from:%Y-%m-%d}"


# --- Dibao ------------------------------------------------------------------------------------


class ProcedureCase(BenefitCase):
    """Dibao and tekun: the home investigation, the 7-day public notice and objections before the decision.

    ``objection_open``: an objection was raised during the notice and no new home
    investigation has been recorded since; the review (and a new notice) waits for one.
    """

    state_machine = NOTICED_CASE_MACHINE

    investigated_on = models.DateField(_("home investigation on"), null=True, blank=True)
    # Database defaults too: the city generator and the benchmarks write cases with SQL.
    investigators = models.CharField(_("investigated by"), max_length=100, blank=True, db_default="")
    investigation_findings = models.TextField(_("investigation findings"), blank=True, db_default="")
    objection_open = models.BooleanField(_("objection awaiting a new investigation"), default=False, db_default=False)

    class Meta:
        abstract = True


@pghistory.track()
class DibaoCase(ProcedureCase):
    """A household's minimum-living-allowance case (最低生活保障).

    ``income_irregular``: the household's income varies, or a member is able to work: its
    periodic review (复核) falls every six months instead of every year.
    """

    scope_field = "household__community"
    scope_view_cap = Cap.RELIEF_VIEW

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="dibao_cases"
    )
    monthly_income = models.DecimalField(_("household monthly income"), **MONEY)
    members_count = models.PositiveSmallIntegerField(_("members covered"))
    income_irregular = models.BooleanField(
        _("irregular income or members able to work"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("dibao case")
        verbose_name_plural = _("dibao cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status__in=OPEN_STATUSES), name="dibao_one_open_case_per_household"
            ),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="dibao_income_not_negative"),
            models.CheckConstraint(condition=Q(members_count__gte=1), name="dibao_members_at_least_one"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="dibao_status_recent"), *work_queue_indexes("dibao")]

    def __str__(self) -> str:
        return _("Dibao case %(id)s") % {"id": self.pk}


class IncomeSource(models.TextChoices):
    WAGES = "wages", _("Wages")
    BUSINESS = "business", _("Business or farming")
    PROPERTY = "property", _("Property (rent, interest)")
    PENSION = "pension", _("Pension")
    SUPPORT = "support", _("Support from relatives")
    OTHER = "other", _("Other")


@pghistory.track()
class DibaoMember(models.Model):
    """A person the dibao case covers (a member of the household when it applied)."""

    case = models.ForeignKey(DibaoCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(_("relationship to head"), max_length=12, choices=Relationship.choices)
    disabled = models.BooleanField(_("has a disability"), default=False)

    class Meta:
        verbose_name = _("dibao member")
        verbose_name_plural = _("dibao members")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="dibao_member_once_per_case")]

    def __str__(self) -> str:
        return str(self.person)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DibaoIncome(models.Model):
    """One member's monthly income from one source, as entered with the application or a review."""

    case = models.ForeignKey(DibaoCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="incomes")
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=12, choices=IncomeSource.choices)
    amount = models.DecimalField(_("monthly amount"), **MONEY)

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="dibao_income_row_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


# --- Tekun ------------------------------------------------------------------------------------


class CareLevel(models.TextChoices):
    FULL = "full", _("Fully self-caring")
    PARTIAL = "partial", _("Partly self-caring")
    NONE = "none", _("Unable to care for oneself")


class Placement(models.TextChoices):
    INSTITUTION = "institution", _("Centralized, in an institution")
    HOME = "home", _("Scattered, at home")


CARE_SCHEMES = {
    CareLevel.FULL: Scheme.TEKUN_CARE_FULL,
    CareLevel.PARTIAL: Scheme.TEKUN_CARE_PARTIAL,
    CareLevel.NONE: Scheme.TEKUN_CARE_NONE,
}


@pghistory.track()
class TekunCase(ProcedureCase):
    """A person's extreme-poverty support case (特困人员救助供养)."""

    scope_field = "person__division"
    scope_view_cap = Cap.RELIEF_VIEW

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="tekun_cases")
    care_level = models.CharField(_("self-care ability"), max_length=8, choices=CareLevel.choices)
    placement = models.CharField(_("placement"), max_length=12, choices=Placement.choices)
    institution = models.CharField(_("institution"), max_length=100, blank=True)
    area_type = models.CharField(_("urban or rural"), max_length=5, choices=AreaType.choices)

    class Meta:
        verbose_name = _("tekun case")
        verbose_name_plural = _("tekun cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STATUSES), name="tekun_one_open_case_per_person"
            ),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="tekun_status_recent"), *work_queue_indexes("tekun")]

    def __str__(self) -> str:
        return _("Tekun case %(id)s") % {"id": self.pk}


# --- Temporary relief -------------------------------------------------------------------------


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REFERRED = "referred", _("Referred to the district")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClaimKind(models.TextChoices):
    URGENT = "urgent", _("Sudden hardship (urgent)")
    EXPENSE = "expense", _("Large necessary expense")


CLAIM_MACHINE = StateMachine(
    [
        Transition("refer", frozenset({ClaimStatus.SUBMITTED}), ClaimStatus.REFERRED, _("Referred to the district")),
        Transition(
            "approve", frozenset({ClaimStatus.SUBMITTED, ClaimStatus.REFERRED}), ClaimStatus.APPROVED, _("Approved")
        ),
        Transition(
            "reject", frozenset({ClaimStatus.SUBMITTED, ClaimStatus.REFERRED}), ClaimStatus.REJECTED, _("Rejected")
        ),
        Transition(
            "withdraw", frozenset({ClaimStatus.SUBMITTED, ClaimStatus.REFERRED}), ClaimStatus.WITHDRAWN, _("Withdrawn")
        ),
        Transition("complete_paperwork", frozenset({ClaimStatus.APPROVED}), None, _("Paperwork completed")),
        Transition("pay_cash", frozenset({ClaimStatus.APPROVED}), None, _("Paid in cash at the window")),
    ],
    initial=ClaimStatus.SUBMITTED,
    labels=dict(ClaimStatus.choices),
)


@pghistory.track()
class TemporaryReliefClaim(models.Model):
    """A one-off temporary relief grant to a household (临时救助).

    Approved claims count against the household's annual cap in ``cap_year`` (the
    calendar year of the approval, Asia/Shanghai) with the amount approved. A claim above
    a sub-district's power may be referred to the district (``referred``). A green-channel claim (urgent only) is
    approved and paid first; its paperwork is due by ``paperwork_due``.
    """

    scope_field = "household__community"
    scope_view_cap = Cap.RELIEF_VIEW
    state_machine = CLAIM_MACHINE

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="relief_claims"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    # What the approver granted (≤ the amount asked): what is paid and counted against the cap.
    approved_amount = models.DecimalField(_("amount approved"), null=True, blank=True, **MONEY)
    kind = models.CharField(_("kind"), max_length=8, choices=ClaimKind.choices)
    reason = models.TextField(_("reason"))
    green_channel = models.BooleanField(_("green channel (pay first, paperwork after)"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_level = models.CharField(_("approved at level"), max_length=12, choices=ApprovalLevel.choices, blank=True)
    cap_year = models.PositiveSmallIntegerField(_("counts against the cap of"), null=True, blank=True)
    paperwork_due = models.DateField(_("paperwork due"), null=True, blank=True)
    paperwork_completed_at = models.DateTimeField(_("paperwork completed at"), null=True, blank=True)
    paperwork_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paperwork completed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Paid in cash at the window in an emergency, against a printed receipt: never also by bank (the
    # temporary-relief run selects only claims without this, and locks the claims it pays).
    paid_in_cash_at = models.DateTimeField(_("paid in cash at"), null=True, blank=True)
    paid_in_cash_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid in cash by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    cash_recipient = models.CharField(_("cash received by"), max_length=100, blank=True, db_default="")

    class Meta:
        verbose_name = _("temporary relief claim")
        verbose_name_plural = _("temporary relief claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gt=0, approved_amount__lte=models.F("amount")),
                name="claim_approved_amount_within_asked",
            ),
            models.CheckConstraint(
                condition=Q(green_channel=False) | Q(kind="urgent"), name="claim_green_channel_only_urgent"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(cap_year__isnull=False, approved_at__isnull=False),
                name="claim_approved_has_year",
            ),
            models.CheckConstraint(
                condition=Q(paid_in_cash_at__isnull=True)
                | Q(status="approved", paid_in_cash_by__isnull=False) & ~Q(cash_recipient=""),
                name="claim_cash_paid_when_approved",
            ),
        ]
        indexes = [
            models.Index(
                fields=["household", "cap_year"], condition=Q(status="approved"), name="claim_approved_by_year"
            ),
            models.Index(fields=["status", "-id"], name="claim_status_recent"),
        ]

    def __str__(self) -> str:
        return _("Temporary relief claim %(id)s") % {"id": self.pk}

    @property
    def granted_amount(self):
        """What the decision gives: the amount approved, or the amount asked where the approval kept it."""
        return self.approved_amount if self.approved_amount is not None else self.amount

    @property
    def paperwork_overdue(self) -> bool:
        return (
            self.status == ClaimStatus.APPROVED
            and self.green_channel
            and self.paperwork_completed_at is None
            and self.paperwork_due is not None
            and self.paperwork_due < local_today()
        )

    @property
    def cash_receipt_number(self) -> str:
        """The number printed on the cash receipt (临时救助现金发放回执)."""
        return f"LSJZ-XJ-{self.pk:08d}" if self.paid_in_cash_at else ""

    def allowed_actions(self) -> list[str]:
        actions = self.state_machine.allowed_actions(self.status)
        if "complete_paperwork" in actions and (not self.green_channel or self.paperwork_completed_at is not None):
            actions.remove("complete_paperwork")
        if "pay_cash" in actions and self.paid_in_cash_at is not None:
            actions.remove("pay_cash")
        return actions

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)


# --- Price-linked temporary subsidy -----------------------------------------------------------


class PriceIndexKind(models.TextChoices):
    CPI = "cpi", _("Consumer price index")
    FOOD_CPI = "food_cpi", _("Food consumer price index")


class CoveredGroup(models.TextChoices):
    DIBAO = "dibao", _("Dibao recipients")
    TEKUN = "tekun", _("Tekun recipients")
    ORPHAN = "orphan", _("Orphans")


def default_covered_groups() -> list[str]:
    return [CoveredGroup.DIBAO, CoveredGroup.TEKUN]


@pghistory.track()
class PriceSubsidyRule(models.Model):
    """The price-linkage rule (物价联动) in force from ``effective_from``.

    A month triggers when the CPI's year-on-year rise reaches ``cpi_threshold`` or the food
    CPI's reaches ``food_cpi_threshold``. Each covered person then gets the applicable dibao
    standard × the rise of ``amount_index`` (percent), and at least ``floor``.
    """

    scope_field = None  # one rule for the city
    scope_view_cap = None

    effective_from = models.DateField(_("effective from"), unique=True)
    cpi_threshold = models.DecimalField(_("CPI rise threshold (%)"), max_digits=5, decimal_places=1)
    food_cpi_threshold = models.DecimalField(_("food CPI rise threshold (%)"), max_digits=5, decimal_places=1)
    amount_index = models.CharField(
        _("index the amount follows"), max_length=8, choices=PriceIndexKind.choices, default=PriceIndexKind.CPI
    )
    floor = models.DecimalField(_("least amount per person"), default=0, **MONEY)
    covered_groups = ArrayField(
        models.CharField(max_length=12, choices=CoveredGroup.choices),
        verbose_name=_("covered groups"),
        default=default_covered_groups,
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price-linkage rule")
        verbose_name_plural = _("price-linkage rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cpi_threshold__gt=0, food_cpi_threshold__gt=0, floor__gte=0),
                name="price_rule_thresholds_positive",
            ),
        ]

    def __str__(self) -> str:
        return gettext("From %(day)s: CPI ≥ %(cpi)s%% or food CPI ≥ %(food)s%%") % {
            "day": f"{self.effective_from:%Y-%m-%d}",
            "cpi": self.cpi_threshold,
            "food": self.food_cpi_threshold,
        }


@pghistory.track()
class PriceIndex(models.Model):
    """A month's published price indices, as year-on-year rises in percent (5.4 means +5.4%)."""

    scope_field = None  # published figures: no geography; who may read them is the view's call
    scope_view_cap = None

    month = models.DateField(_("month"), unique=True)
    cpi_yoy = models.DecimalField(_("CPI, year on year (%)"), max_digits=5, decimal_places=1)
    food_cpi_yoy = models.DecimalField(_("food CPI, year on year (%)"), max_digits=5, decimal_places=1)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price index")
        verbose_name_plural = _("price indices")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="price_index_month_first_day"),
        ]

    def __str__(self) -> str:
        return gettext("%(month)s: CPI %(cpi)s%%, food CPI %(food)s%%") % {
            "month": f"{self.month:%Y-%m}",
            "cpi": self.cpi_yoy,
            "food": self.food_cpi_yoy,
        }


# --- Vagrant and beggar relief ----------------------------------------------------------------


class AdmissionStatus(models.TextChoices):
    IN_STATION = "in_station", _("In the station")
    DISCHARGED = "discharged", _("Left the station")


class AdmissionSource(models.TextChoices):
    SELF = "self", _("Asked for help")
    POLICE = "police", _("Brought by the police")
    URBAN_MANAGEMENT = "urban_management", _("Brought by urban management")
    PUBLIC = "public", _("Reported by the public")
    OUTREACH = "outreach", _("Found by street outreach")
    OTHER = "other", _("Other")


class DischargeOutcome(models.TextChoices):
    REUNITED = "reunited", _("Reunited with family")
    RETURNED_HOME = "returned_home", _("Returned home (escorted or with a ticket)")
    TRANSFERRED = "transferred", _("Transferred to another institution")
    LEFT = "left", _("Left of their own accord")
    DECEASED = "deceased", _("Died")


ADMISSION_MACHINE = StateMachine(
    [
        Transition("discharge", frozenset({AdmissionStatus.IN_STATION}), AdmissionStatus.DISCHARGED, _("Discharged")),
    ],
    initial=AdmissionStatus.IN_STATION,
    labels=dict(AdmissionStatus.choices),
)


@pghistory.track()
class StationAdmission(models.Model):
    """One stay of a vagrant or beggar at a relief station (救助管理站), from admission to leaving."""

    scope_field = "station"
    scope_view_cap = Cap.VAGRANT_VIEW
    state_machine = ADMISSION_MACHINE

    station = models.ForeignKey(
        Division, verbose_name=_("station (division)"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("identified person"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    name = models.CharField(_("name or description"), max_length=50)
    sex = models.CharField(_("sex"), max_length=6, blank=True, choices=[("male", _("Male")), ("female", _("Female"))])
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    admitted_on = models.DateField(_("admitted on"))
    source = models.CharField(_("how they came"), max_length=20, choices=AdmissionSource.choices)
    circumstances = models.TextField(_("circumstances"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AdmissionStatus.choices, default=AdmissionStatus.IN_STATION
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=DischargeOutcome.choices, blank=True)
    discharged_on = models.DateField(_("left on"), null=True, blank=True)
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("station admission")
        verbose_name_plural = _("station admissions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_station", outcome="", discharged_on__isnull=True)
                | (Q(status="discharged", discharged_on__isnull=False) & ~Q(outcome="")),
                name="admission_outcome_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "admitted_on"], name="admission_station_date"),
            models.Index(fields=["station", "discharged_on"], name="admission_station_left"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.admitted_on:%Y-%m-%d}"

    def allowed_actions(self) -> list[str]:
        return self.state_machine.allowed_actions(self.status)

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)


class ServiceKind(models.TextChoices):
    LODGING = "lodging", _("Lodging")
    FOOD = "food", _("Meals")
    MEDICAL = "medical", _("Medical care")
    CLOTHING = "clothing", _("Clothing")
    COUNSELLING = "counselling", _("Counselling")
    TRAVEL = "travel", _("Travel home (ticket or escort)")
    OTHER = "other", _("Other")


@pghistory.track()
class StationService(models.Model):
    scope_field = "admission__station"
    scope_view_cap = Cap.VAGRANT_VIEW

    admission = models.ForeignKey(
        StationAdmission, verbose_name=_("admission"), on_delete=models.CASCADE, related_name="services"
    )
    kind = models.CharField(_("service"), max_length=12, choices=ServiceKind.choices)
    given_on = models.DateField(_("given on"))
    cost = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service given")
        verbose_name_plural = _("services given")
        ordering = ["given_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="service_cost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on:%Y-%m-%d}"


class TraceMethod(models.TextChoices):
    POLICE = "police", _("Police records")
    DNA = "dna", _("DNA database")
    FACE = "face", _("Face recognition")
    MEDIA = "media", _("Search notice in the media")
    INTERNET = "internet", _("Online search platforms")
    INTERVIEW = "interview", _("Interviews")
    OTHER = "other", _("Other")


class TraceStatus(models.TextChoices):
    SEARCHING = "searching", _("Searching")
    FOUND = "found", _("Family found")
    NOT_FOUND = "not_found", _("Not found")


@pghistory.track()
class FamilyTrace(models.Model):
    """One attempt to find a person's family (寻亲), and its outcome."""

    scope_field = "admission__station"
    scope_view_cap = Cap.VAGRANT_VIEW

    admission = models.ForeignKey(
        StationAdmission, verbose_name=_("admission"), on_delete=models.CASCADE, related_name="traces"
    )
    method = models.CharField(_("method"), max_length=12, choices=TraceMethod.choices)
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=12, choices=TraceStatus.choices, default=TraceStatus.SEARCHING)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("family trace")
        verbose_name_plural = _("family traces")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="searching", concluded_on__isnull=True)
                | (~Q(status="searching") & Q(concluded_on__isnull=False)),
                name="trace_concluded_when_done",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_status_display()}"
