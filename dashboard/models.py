"""The dashboard's summary tables: payout figures kept up to date when a run is approved.

A page view never scans payout lines. When a payout run is approved (``payouts.signals.
run_approved``, to which this app subscribes), ``services.payout_run_approved`` folds its
lines into three small tables, set-based in SQL, in the approval's own transaction (see that
module for the statements):

* ``PaidMonth`` — per scheme, month and community: lines paid and their amount. Amounts and
  the months a price-linked subsidy was paid (its "triggers") come from here.
* ``PaidYear`` — per scheme, calendar year, unit and key: the months of the year the unit was
  paid, as a 12-bit mask (bit 0 = January). A unit is either a person (``unit = 'p'``, key: the
  beneficiary) or a household (``unit = 'h'``, key: the household; the beneficiary's own id,
  negated, for a line without a household). Dibao pays one line per household (to its head),
  so it keeps household units only. ``persons`` is how many people the row stands for: the
  living members for a dibao household head's line (the line's snapshot), 1 otherwise;
  ``division`` is the unit's community. Both are those of the unit's first month paid that
  year. The table keeps free space in its pages (fillfactor 70): a fold mostly sets a bit in
  rows that exist, and no indexed column changes, so those updates stay on their page (HOT).
* ``PaidMask`` — units counted by (scheme, two-year window, unit, community, mask): how many
  units were paid in exactly that set of months of the window, and the persons they stand for.
  The window starting in ``year`` covers that year (bits 0–11) and the next (bits 12–23); a
  unit counts under the community of its later year's row. A few dozen rows per community and
  scheme a window, whatever the number of lines. A fold writes only the run's month's row of
  each unit in ``PaidYear``, and moves the unit's count in the two windows holding the month
  (reading the unit's rows of the year before and after).

How many households (or persons) were paid in a range of months lying within two calendar
years, without counting twice someone paid in several of them: ``sum(n) WHERE months &
range_mask <> 0`` over ``PaidMask`` of the window starting with the range's first year,
grouped by the community code's prefix (district: 6 characters, sub-district: 9) for the
split by division, or per month bit for the trend. A range over three calendar years or more
reads ``PaidYear`` instead (``DISTINCT ON`` the key over the years' rows that meet the
range): slower, still no line read.

A run's lines are counted once: ``PaidRun`` records each run folded in (folding it again
does nothing), and a follow-up run's lines (which re-pay failed lines of the month,
``replaces`` set) add nothing, because the line they re-pay was counted when its own run
was approved. A line's later bank failure does not take it out: the figures are of what
was approved for payment.

Registries and relief counts that are small tables (temporary relief claims, marriages,
social organizations, roads, station admissions) are counted live with their indexes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Cap

MONEY = {"max_digits": 16, "decimal_places": 2}


class PaidRun(models.Model):
    """A payout run already folded into the summaries (so folding it again changes nothing)."""

    scope_field = None
    scope_view_cap = Cap.DASHBOARD_VIEW

    run = models.OneToOneField(
        "payouts.PayoutRun", verbose_name=_("run"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    scheme = models.CharField(_("scheme"), max_length=24)
    period = models.DateField(_("month"))
    lines = models.PositiveIntegerField(_("lines counted"), default=0)
    folded_at = models.DateTimeField(_("folded in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("run counted on the dashboard")
        verbose_name_plural = _("runs counted on the dashboard")

    def __str__(self) -> str:
        return f"{self.scheme} {self.period:%Y-%m} #{self.run_id}"


class PaidMonth(models.Model):
    """Per scheme, month and community: approved lines and their amount."""

    scope_field = "division"
    scope_view_cap = Cap.DASHBOARD_VIEW

    scheme = models.CharField(_("scheme"), max_length=24)
    month = models.DateField(_("month"))
    division = models.CharField(_("community"), max_length=12)
    lines = models.BigIntegerField(_("lines"), default=0)
    amount = models.DecimalField(_("amount"), default=0, **MONEY)

    class Meta:
        verbose_name = _("paid month")
        verbose_name_plural = _("paid months")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "month", "division"], name="dashboard_paid_month_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.month:%Y-%m} {self.division}"


class Unit(models.TextChoices):
    PERSON = "p", _("Person")
    HOUSEHOLD = "h", _("Household")


class PaidYear(models.Model):
    """Per scheme, year and person (or household): the months of the year paid, as a bit mask."""

    scope_field = "division"
    scope_view_cap = Cap.DASHBOARD_VIEW

    scheme = models.CharField(_("scheme"), max_length=24)
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.CharField(_("unit"), max_length=1, choices=Unit.choices)
    key = models.BigIntegerField(_("person or household"))
    division = models.CharField(_("community"), max_length=12)
    months = models.IntegerField(_("months paid (bit mask)"), default=0)
    persons = models.IntegerField(_("persons"), default=1)

    class Meta:
        verbose_name = _("paid year")
        verbose_name_plural = _("paid years")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year", "unit", "key"], name="dashboard_paid_year_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year} {self.unit}{self.key} {self.months:012b}"


class PaidMask(models.Model):
    """How many units of a community were paid in exactly the months of ``months`` of a two-year window."""

    scope_field = "division"
    scope_view_cap = Cap.DASHBOARD_VIEW

    scheme = models.CharField(_("scheme"), max_length=24)
    year = models.PositiveSmallIntegerField(_("first year of the window"))
    unit = models.CharField(_("unit"), max_length=1, choices=Unit.choices)
    division = models.CharField(_("community"), max_length=12)
    months = models.IntegerField(_("months paid (bit mask)"))
    n = models.BigIntegerField(_("units"), default=0)
    persons = models.BigIntegerField(_("persons"), default=0)

    class Meta:
        verbose_name = _("paid-months count")
        verbose_name_plural = _("paid-months counts")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "unit", "division", "months"], name="dashboard_paid_mask_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year} {self.unit} {self.division} {self.months:024b}: {self.n}"
