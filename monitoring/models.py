"""Low-income population monitoring (低收入人口动态监测): what the portal records for it.

* ``HouseholdExpense``: a household's rigid expense (medical, education) or another one, for a
  month, recorded outside any case. With the household's latest income (``people.HouseholdMeans``)
  it places a household in the expenditure-hardship tier (支出型困难). Append-only: a correction
  is a new record.

The tiers themselves are not stored: they follow from the portal's data each time they are read
(``monitoring.selectors``), so that they are always current.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import Cap
from people.models import Household

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
