"""Low-income population monitoring (低收入人口动态监测): what the portal records for it.

* ``HouseholdExpense``: a household's rigid expense (medical, education) or another one, for a
  month, recorded outside any case. With the household's latest income (``people.HouseholdMeans``)
  it places a household in the expenditure-hardship tier (支出型困难). Append-only: a correction
  is a new record.
* ``RiskWarning``: a risk signal (another department's data of kind "risk", payments failed twice
  in a row, a refused application whose household stays in hardship) for the household's
  sub-district to handle within 10 days: open → handled, with an outcome.

* ``MonitoringRun``: the monthly run over the whole city (Celery, ``monitoring.engine``): the tiers
  counted, and warnings raised for what only a sweep of the city finds.
* ``TierMembership``: the marginal and expenditure households as a run found them, so that the next
  month's run knows which households are new in a tier.
* ``AtRiskFlag``: a household a caseworker flags at risk (其他困难人员), with the reason, until cleared.

The tiers a page shows are not read from the runs: they follow from the portal's data each time they
are read (``monitoring.selectors``), so that they are always current.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.cases import StateMachine, Transition, local_today
from core.models import Division
from core.roles import Cap
from people.models import Household, Person

MONEY = {"max_digits": 12, "decimal_places": 2}


class ExpenseKind(models.TextChoices):
    MEDICAL = "medical", _("Medical expenses")
    EDUCATION = "education", _("Education expenses")
    OTHER = "other", _("Other expenses")


# The rigid expenses (刚性支出) that count against a household's income for the expenditure tier.
RIGID_KINDS = (ExpenseKind.MEDICAL, ExpenseKind.EDUCATION)


@pghistory.track(pghistory.InsertEvent())
class HouseholdExpense(models.Model):
    """What a household spent in a month on one kind of expense (家庭刚性支出), as recorded by staff."""

    scope_field = "household__community"
    scope_view_cap = Cap.MONITORING_VIEW  # a household's economic situation

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of expense"), max_length=10, choices=ExpenseKind.choices)
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household expense")
        verbose_name_plural = _("household expenses")
        ordering = ["-month", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=["medical", "education", "other"]), name="expense_kind_known"),
            models.CheckConstraint(condition=Q(month__day=1), name="expense_month_first_day"),
        ]
        indexes = [models.Index(fields=["household", "month"], name="expense_household_month")]
        triggers = [
            pgtrigger.Protect(name="householdexpense_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} {self.amount}"


# --- Risk warnings (风险预警) -------------------------------------------------------------------


class WarningKind(models.TextChoices):
    ILLNESS = "illness", _("Serious illness")
    MEDICAL_BILL = "medical_bill", _("Large medical bill")
    UNEMPLOYMENT = "unemployment", _("Registered unemployment")
    DEATH = "death", _("Death of a household member")
    DISABILITY = "disability", _("Disability certificate issued")
    PAYMENT_FAILED = "payment_failed", _("Benefit payment failed twice in a row")
    REFUSED_APPLICATION = "refused_application", _("Refused application, household still in hardship")
    NOT_VISITED = "not_visited", _("Left-behind elderly person not visited in time")
    EXPENDITURE = "expenditure", _("Rigid expenses push the household under the standard")
    OTHER = "other", _("Other risk")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")


class Outcome(models.TextChoices):
    ASSISTED = "assisted", _("Assisted")
    VISITED_NO_NEED = "visited_no_need", _("Visited, no need of assistance")
    REFERRED = "referred", _("Referred to another department")


WARNING_DUE_DAYS = 10  # a warning is handled within 10 days of being raised

WARNING_MACHINE = StateMachine(
    [Transition("handle", frozenset({WarningStatus.OPEN}), WarningStatus.HANDLED, _("Warning handled"))],
    initial=WarningStatus.OPEN,
    labels=dict(WarningStatus.choices),
)


# Statement-level history (one INSERT … SELECT of events per statement over its transition table, the
# context attached once): the monthly run raises a city's warnings in one INSERT … SELECT (150,000 from
# five risk extracts), and a row trigger per warning was most of its time (bench/RESULTS.md).
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), level=pghistory.Statement)
class RiskWarning(models.Model):
    """A risk signal about a household (or a person in none), for its sub-district to handle within 10 days.

    ``signal`` names what raised it (``extract:<row>``, ``payment:<scheme>:<person>:<month>``,
    ``refusal:dibao:<case>``): the database keeps one warning per signal, so raising again from
    the same data (a rerun, a retried task) adds nothing. ``division`` is the household's community
    (the person's division for someone in no household), ``subdistrict`` the sub-district it is
    assigned to. ``assisted`` names the case or claim the warning led to.
    """

    scope_field = "division"
    scope_view_cap = Cap.MONITORING_VIEW
    state_machine = WARNING_MACHINE
    # An open warning goes to the new sub-district with its household; a handled one stays where it was handled.
    division_follow = {"division": Q(status="open"), "subdistrict": Q(status="open")}

    signal = models.CharField(_("signal"), max_length=80, unique=True)
    kind = models.CharField(_("kind of risk"), max_length=20, choices=WarningKind.choices)
    facts = models.JSONField(_("what raised it"), default=dict, blank=True)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    division = models.ForeignKey(
        Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    raised_on = models.DateField(_("raised on"))
    due = models.DateField(_("to be handled by"))
    status = models.CharField(_("status"), max_length=8, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    dibao_case = models.ForeignKey(
        "relief.DibaoCase",
        verbose_name=_("dibao case it led to"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    tekun_case = models.ForeignKey(
        "relief.TekunCase",
        verbose_name=_("tekun case it led to"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    claim = models.ForeignKey(
        "relief.TemporaryReliefClaim",
        verbose_name=_("temporary relief claim it led to"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "handled"]), name="warning_status_known"),
            models.CheckConstraint(
                condition=Q(status="open", outcome="", handled_on__isnull=True)
                | Q(
                    status="handled", outcome__in=["assisted", "visited_no_need", "referred"], handled_on__isnull=False
                ),
                name="warning_handled_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="assisted")
                | Q(dibao_case__isnull=False)
                | Q(tekun_case__isnull=False)
                | Q(claim__isnull=False),
                name="warning_assisted_names_what",
            ),
        ]
        indexes = [
            models.Index(fields=["division", "status", "due"], name="warning_division_status_due"),
            models.Index(fields=["household", "-raised_on"], name="warning_household"),
            models.Index(fields=["status", "due"], name="warning_status_due"),
        ]

    def __str__(self) -> str:
        return _("Warning %(id)s") % {"id": self.pk}

    @property
    def overdue(self) -> bool:
        return self.status == WarningStatus.OPEN and self.due < local_today()

    @property
    def handled_on_time(self) -> bool:
        return self.status == WarningStatus.HANDLED and self.handled_on is not None and self.handled_on <= self.due

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)

    @property
    def reason(self) -> str:
        """What raised the warning, in plain words in the reader's language."""
        from monitoring.reasons import reason_of

        return reason_of(self)

    def assisted_with(self):
        return self.dibao_case or self.tekun_case or self.claim


# --- The monthly monitoring run (月度动态监测) ----------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunStep(models.TextChoices):
    """What a monthly run does, in order (one transaction each: the page shows how far it has come)."""

    TIERS = "tiers", _("The low-income population by tier")
    EXPENDITURE = "expenditure", _("Households newly pushed under the standard by rigid expenses")
    EXTRACTS = "extracts", _("Other departments' risk data")
    PAYMENTS = "payments", _("Payments failed twice in a row")
    VISITS = "visits", _("Left-behind elderly persons not visited in time")


class MonitoringRun(models.Model):
    """One pass over the whole city for ``month``: the tiers counted and recorded, the warnings raised.

    A run may be repeated for the same month (the data changed): the month's tier record is replaced,
    and a warning already raised for a signal is not raised again (``RiskWarning.signal`` is unique).
    One run of a month at a time (the database refuses a second queued or running one).
    """

    scope_field = None  # the whole city: its figures are read through the viewer's geography
    scope_view_cap = None  # read by monitoring staff and by the administrators who start it (pages check which)

    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    step = models.CharField(_("step"), max_length=12, choices=RunStep.choices, blank=True)
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # {"dibao": {"households", "persons"}, "tekun": …, "marginal": …, "expenditure": …, "at_risk": …,
    #  "by_subdistrict": {code: {"marginal": households, "expenditure": households}}}
    tiers = models.JSONField(_("tiers"), default=dict, blank=True)
    # {"expenditure": n, "extracts": n, "payments": n, "visits": n}: warnings new in this run, by step
    raised = models.JSONField(_("warnings raised"), default=dict, blank=True)
    extracts = models.JSONField(_("extracts read"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("monitoring run")
        verbose_name_plural = _("monitoring runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monitoring_run_month_first_day"),
            models.UniqueConstraint(
                fields=["month"], condition=Q(status__in=["queued", "running"]), name="monitoring_run_one_at_a_time"
            ),
        ]

    def __str__(self) -> str:
        return _("Monitoring run of %(month)s") % {"month": f"{self.month:%Y-%m}"}

    @property
    def steps_total(self) -> int:
        return len(RunStep.values)

    @property
    def progress(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return min(99, self.steps_done * 100 // self.steps_total)

    @property
    def warnings_raised(self) -> int:
        return sum(int(v) for v in (self.raised or {}).values())


class TierMembership(models.Model):
    """A household in a tier the portal computes (marginal, expenditure hardship) as of a monthly run.

    What the next month's run compares with, to find the households newly in a tier. Replaced by a
    rerun of the same month; written only by the run (set-based).
    """

    month = models.DateField(_("month"))
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(_("tier"), max_length=12)
    # The figures that placed it there: the month's recorded income, living members, rigid expenses, standard.
    income = models.DecimalField(_("household monthly income"), **MONEY)
    members = models.PositiveSmallIntegerField(_("members"))
    rigid = models.DecimalField(_("rigid expenses"), **MONEY)
    standard = models.DecimalField(_("dibao standard"), **MONEY)

    class Meta:
        verbose_name = _("tier membership")
        verbose_name_plural = _("tier memberships")
        constraints = [
            models.UniqueConstraint(fields=["month", "tier", "household"], name="tier_membership_once"),
            models.CheckConstraint(condition=Q(tier__in=["marginal", "expenditure"]), name="tier_membership_known"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.tier} {self.household_id}"


# --- Others at risk, flagged by caseworkers (其他困难人员) ---------------------------------------------


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AtRiskFlag(models.Model):
    """A household a caseworker judges at risk though no rule puts it in a tier (其他困难人员), with the reason.

    In the low-income population (tier ``at_risk``) from the day it is flagged until it is cleared
    (with the reason). One open flag per household.
    """

    scope_field = "household__community"
    scope_view_cap = Cap.MONITORING_VIEW

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("flagged by"), on_delete=models.PROTECT, related_name="+"
    )
    flagged_on = models.DateField(_("flagged on"))
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    clear_reason = models.CharField(_("why cleared"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("at-risk flag")
        verbose_name_plural = _("at-risk flags")
        ordering = ["-flagged_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(cleared_on__isnull=True), name="at_risk_one_open_flag"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="at_risk_has_reason"),
            models.CheckConstraint(
                condition=Q(cleared_on__isnull=True, cleared_by__isnull=True, clear_reason="")
                | (Q(cleared_on__isnull=False, cleared_by__isnull=False) & ~Q(clear_reason="")),
                name="at_risk_cleared_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return _("At risk since %(day)s") % {"day": self.flagged_on.isoformat()}

    @property
    def open(self) -> bool:
        return self.cleared_on is None
