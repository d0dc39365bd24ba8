"""Every write of low-income monitoring. Keyword-only, one transaction, the actor named, audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import current_month, parse_month
from core.errors import InvalidInput
from core.models import User
from core.money import parse_money
from core.permissions import require_can
from core.scoping import get_in_scope
from monitoring.models import ExpenseKind, HouseholdExpense
from people.models import Household

NOTE_MAX = 500


def _kind_or_error(kind: str) -> str:
    if kind not in ExpenseKind.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": "、".join(str(label) for label in ExpenseKind.labels)},
            field="kind",
        )
    return kind


@transaction.atomic
def household_expense_record(
    *,
    actor: User,
    household: Household,
    kind: str,
    month: datetime.date | str,
    amount,
    note: str = "",
) -> HouseholdExpense:
    """Record what ``household`` spent in ``month`` on ``kind`` (medical and education are rigid expenses).

    Outside any case: found out at a visit, from a hospital bill or a school's fees. A month after
    the current one is refused (an expense is recorded once it is incurred); a correction is a new
    record.
    """
    require_can(actor, "record_expense", Household)
    household = get_in_scope(Household.objects.all(), actor, pk=household.pk)
    kind = _kind_or_error(kind)
    month = parse_month(month, field="month")
    if month > current_month():
        raise InvalidInput(_("This month has not begun yet."), field="month")
    amount = parse_money(amount, field="amount", allow_zero=False, label=_("The amount"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    with audit_context(actor, action="record_expense"):
        return HouseholdExpense.objects.create(
            household=household, kind=kind, month=month, amount=amount, note=note, recorded_by=actor
        )
