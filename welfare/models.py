"""Welfare: orphans' basic living allowance, the two disability subsidies, child supervisors.

The cases run on the shared case machinery (``core.cases``): the same states, moves and
timeline as dibao and tekun. What the database can hold is held here: one open case per
person (and kind), well-formed certificate numbers whose last two digits are the recorded
type and grade, one current child supervisor per sub-district, months on the first day.

Amounts come from relief's standards table (schemes ``orphan_institution``,
``orphan_community``, ``disability_living``, ``disability_nursing`` and, where the city
sets them, ``disability_nursing_grade1``/``…grade2``): there is one standards table.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.cases import BENEFIT_CASE_MACHINE, OPEN_STATUSES, BenefitCase, StateMachine, Transition, work_queue_indexes
from core.idnumbers import mask_id_number
from core.models import Division
from core.roles import Cap
from people.models import Household, Person


class Benefit(models.TextChoices):
    """Every recurring benefit a person can hold (cross-checks and incompatibilities name these)."""

    DIBAO = "dibao", _("Dibao")
    TEKUN = "tekun", _("Tekun")
    ORPHAN = "orphan", _("Orphans' basic living allowance")
    DISABILITY_LIVING = "disability_living", _("Living subsidy for poor persons with disabilities")
    DISABILITY_NURSING = "disability_nursing", _("Nursing subsidy for severe disabilities")


# The benefit case's moves without the home investigation (a dibao step); an orphan case also
# records changes of care (a new guardian, a move into an institution).
_WELFARE_MOVES = [t for t in BENEFIT_CASE_MACHINE.transitions.values() if t.action != "investigate"]
SUBSIDY_CASE_MACHINE = StateMachine(
    _WELFARE_MOVES, initial=BENEFIT_CASE_MACHINE.initial, labels=BENEFIT_CASE_MACHINE.state_labels
)
ORPHAN_CASE_MACHINE = StateMachine(
    [*_WELFARE_MOVES, Transition("amend", frozenset(OPEN_STATUSES), None, _("Care arrangements changed"))],
    initial=BENEFIT_CASE_MACHINE.initial,
    labels=BENEFIT_CASE_MACHINE.state_labels,
)


# --- Orphans ----------------------------------------------------------------------------------


class OrphanCategory(models.TextChoices):
    INSTITUTION = "institution", _("Raised in an institution")
    COMMUNITY = "community", _("Living in the community")


@pghistory.track()
class OrphanCase(BenefitCase):
    """A child's orphans' basic living allowance case (孤儿基本生活费).

    Raised in an institution (机构养育: ``institution`` names it) or living in the community
    (社会散居: with a guardian, by name and, when registered, as a person).
    """

    scope_field = "person__division"
    scope_view_cap = Cap.WELFARE_VIEW
    state_machine = ORPHAN_CASE_MACHINE

    person = models.ForeignKey(Person, verbose_name=_("child"), on_delete=models.PROTECT, related_name="orphan_cases")
    category = models.CharField(_("category"), max_length=12, choices=OrphanCategory.choices)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_person = models.ForeignKey(
        Person,
        verbose_name=_("guardian (registered person)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    guardian_relationship = models.CharField(_("guardian's relationship to the child"), max_length=20, blank=True)
    institution = models.CharField(_("institution"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("orphan case")
        verbose_name_plural = _("orphan cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STATUSES), name="orphan_one_open_case_per_person"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["institution", "community"]), name="orphan_category_known"
            ),
            models.CheckConstraint(
                condition=Q(guardian_person__isnull=True) | ~Q(guardian_person=models.F("person")),
                name="orphan_not_own_guardian",
            ),
            models.CheckConstraint(
                condition=Q(start_month__isnull=True) | Q(start_month__day=1), name="orphan_start_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__day=1), name="orphan_end_month_first_day"
            ),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="orphan_status_recent"), *work_queue_indexes("orphan")]

    def __str__(self) -> str:
        return _("Orphan case %(id)s") % {"id": self.pk}

    @property
    def guardian_display(self) -> str:
        return self.guardian_person.name if self.guardian_person_id and not self.guardian_name else self.guardian_name


# --- Disability certificates and the two subsidies -------------------------------------------


class DisabilityType(models.IntegerChoices):
    """The 19th character of the second-generation certificate number."""

    VISION = 1, _("Vision")
    HEARING = 2, _("Hearing")
    SPEECH = 3, _("Speech")
    PHYSICAL = 4, _("Physical")
    INTELLECTUAL = 5, _("Intellectual")
    MENTAL = 6, _("Mental")
    MULTIPLE = 7, _("Multiple")


class DisabilityGrade(models.IntegerChoices):
    """The 20th character: 1 is the most severe."""

    GRADE1 = 1, _("Grade 1 (most severe)")
    GRADE2 = 2, _("Grade 2")
    GRADE3 = 3, _("Grade 3")
    GRADE4 = 4, _("Grade 4")


# The certificate number is the holder's ID number, so its history is kept as type and grade
# (which the number ends with), never as the number itself.
@pghistory.track(exclude=["number"])
class DisabilityCertificate(models.Model):
    """A person's second-generation disability certificate (第二代残疾人证).

    ``number`` has 20 characters: the holder's 18-character ID number, the type digit
    (1–7) and the grade digit (1–4). A re-assessment that changes the type or grade
    changes the number's last two digits; the row (and the cases that refer to it) stays.
    """

    scope_field = "person__division"
    scope_view_cap = Cap.WELFARE_VIEW

    person = models.OneToOneField(
        Person, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="disability_certificate"
    )
    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    disability_type = models.PositiveSmallIntegerField(_("disability type"), choices=DisabilityType.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=DisabilityGrade.choices)
    issued_on = models.DateField(_("issued or re-assessed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("disability certificate")
        verbose_name_plural = _("disability certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{17}[0-9X][1-7][1-4]$"), name="certificate_number_format"
            ),
            models.CheckConstraint(
                condition=Q(disability_type=Cast(Substr("number", 19, 1), models.PositiveSmallIntegerField()))
                & Q(grade=Cast(Substr("number", 20, 1), models.PositiveSmallIntegerField())),
                name="certificate_number_ends_with_type_and_grade",
            ),
        ]

    def __str__(self) -> str:
        return self.number_masked

    @property
    def number_masked(self) -> str:
        """``370202********123442``: the ID number masked, type and grade shown."""
        return mask_id_number(self.number[:18]) + self.number[18:]


class SubsidyKind(models.TextChoices):
    LIVING = "living", _("Living subsidy for poor persons with disabilities")
    NURSING = "nursing", _("Nursing subsidy for severe disabilities")


@pghistory.track()
class DisabilitySubsidyCase(BenefitCase):
    """One of the two disability subsidies (残疾人两项补贴) for one person.

    The living subsidy (困难残疾人生活补贴) needs membership of a household with active
    dibao (``household`` is that household when the application was made); the nursing
    subsidy (重度残疾人护理补贴) needs grade 1 or 2.
    """

    scope_field = "person__division"
    scope_view_cap = Cap.WELFARE_VIEW
    state_machine = SUBSIDY_CASE_MACHINE

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="disability_subsidy_cases"
    )
    kind = models.CharField(_("subsidy"), max_length=8, choices=SubsidyKind.choices)
    certificate = models.ForeignKey(
        DisabilityCertificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="subsidy_cases"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("dibao household"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("disability subsidy case")
        verbose_name_plural = _("disability subsidy cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status__in=OPEN_STATUSES),
                name="subsidy_one_open_case_per_person_and_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=["living", "nursing"]), name="subsidy_kind_known"),
            models.CheckConstraint(
                condition=Q(start_month__isnull=True) | Q(start_month__day=1), name="subsidy_start_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__day=1), name="subsidy_end_month_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-id"], name="subsidy_kind_status_recent"),
            *work_queue_indexes("subsidy"),
        ]

    def __str__(self) -> str:
        if self.kind == SubsidyKind.NURSING:
            return _("Nursing subsidy case %(id)s") % {"id": self.pk}
        return _("Living subsidy case %(id)s") % {"id": self.pk}

    @property
    def benefit(self) -> str:
        return Benefit.DISABILITY_NURSING if self.kind == SubsidyKind.NURSING else Benefit.DISABILITY_LIVING


# --- Holds: months a case does not pay while suspended ----------------------------------------


class HoldBase(models.Model):
    """A suspension's months: from ``from_month`` until (not including) ``until_month``.

    A suspension takes effect from a month (the next one, by default), so the month it is
    decided in is still paid; resumption closes the hold. Payable months are those of the
    case's life not inside any hold, whenever the question is asked.
    """

    from_month = models.DateField(_("not paid from"))
    until_month = models.DateField(_("paid again from"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["from_month", "id"]

    def __str__(self) -> str:
        until = f"{self.until_month:%Y-%m}" if self.until_month else "…"
        return f"{self.from_month:%Y-%m} – {until}"


@pghistory.track()
class OrphanHold(HoldBase):
    case = models.ForeignKey(OrphanCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="holds")

    class Meta(HoldBase.Meta):
        verbose_name = _("suspension of an orphan case")
        verbose_name_plural = _("suspensions of orphan cases")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(until_month__isnull=True), name="orphan_one_open_hold"
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1)
                & (Q(until_month__isnull=True) | Q(until_month__gte=models.F("from_month"))),
                name="orphan_hold_months",
            ),
        ]


@pghistory.track()
class SubsidyHold(HoldBase):
    case = models.ForeignKey(
        DisabilitySubsidyCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="holds"
    )

    class Meta(HoldBase.Meta):
        verbose_name = _("suspension of a disability subsidy case")
        verbose_name_plural = _("suspensions of disability subsidy cases")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(until_month__isnull=True), name="subsidy_one_open_hold"
            ),
            models.CheckConstraint(
                condition=Q(from_month__day=1)
                & (Q(until_month__isnull=True) | Q(until_month__gte=models.F("from_month"))),
                name="subsidy_hold_months",
            ),
        ]


# --- Child supervisors ------------------------------------------------------------------------


@pghistory.track()
class ChildSupervisor(models.Model):
    """A sub-district's child supervisor (儿童督导员), from appointment to the end of the term."""

    scope_field = "subdistrict"
    division_follow = ("subdistrict",)
    scope_view_cap = Cap.WELFARE_VIEW

    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("term ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("child supervisor")
        verbose_name_plural = _("child supervisors")
        ordering = ["subdistrict", "-appointed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict"],
                condition=Q(ended_on__isnull=True),
                name="supervisor_one_current_per_subdistrict",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("appointed_on")),
                name="supervisor_term_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        """Shown everywhere (pages, API); the full number only through a logged reveal."""
        from core.idnumbers import mask_phone

        return mask_phone(self.phone)


# --- Incompatible benefits (configurable) -----------------------------------------------------


@pghistory.track()
class Incompatibility(models.Model):
    """Two benefits one person should not receive in the same month (e.g. tekun and the living subsidy).

    The cross-check report lists every person who does. Stored once per pair, in a fixed
    order (``benefit_a`` < ``benefit_b``); switched off rather than deleted.
    """

    benefit_a = models.CharField(_("benefit"), max_length=20, choices=Benefit.choices)
    benefit_b = models.CharField(_("is incompatible with"), max_length=20, choices=Benefit.choices)
    active = models.BooleanField(_("checked"), default=True)
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incompatible benefits")
        verbose_name_plural = _("incompatible benefits")
        ordering = ["benefit_a", "benefit_b"]
        constraints = [
            models.UniqueConstraint(fields=["benefit_a", "benefit_b"], name="incompatibility_once_per_pair"),
            models.CheckConstraint(condition=Q(benefit_a__lt=models.F("benefit_b")), name="incompatibility_pair_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_benefit_a_display()} × {self.get_benefit_b_display()}"
