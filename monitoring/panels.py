"""Monitoring's panel on the household page (``core.panels``): its tiers, open warnings, expenses and the
chain of assistance (一户一条救助链), without people/ knowing monitoring."""

from __future__ import annotations

from core import panels
from core.permissions import can
from core.roles import Cap, has_cap
from monitoring import chain, selectors
from monitoring.forms import AtRiskForm, ExpenseForm
from monitoring.models import WarningStatus

CHAIN_SHOWN = 60  # the newest events on the page; the API gives them all


@panels.panel("people.household", "monitoring/_household_panel.html", order=40)
def assistance(request, household):
    if not has_cap(request.user, Cap.MONITORING_VIEW):
        return None
    from monitoring.views import TIER_LABELS

    events = chain.assistance_chain(household=household)
    flag = selectors.at_risk_flags(user=request.user, household=household.pk, open_only=True).first()
    return {
        "tiers": [TIER_LABELS[t] for t in selectors.household_tiers(user=request.user, household=household)],
        "open_warnings": selectors.warning_list(user=request.user, status=WarningStatus.OPEN, household=household.pk),
        "expenses": list(selectors.household_expenses(user=request.user, household=household)[:6]),
        "expense_form": ExpenseForm(prefix="expense") if can(request.user, "record_expense", household) else None,
        "at_risk": flag,
        "at_risk_form": AtRiskForm(prefix="at_risk")
        if (flag is None and can(request.user, "flag_at_risk", household))
        or (flag is not None and can(request.user, "clear", flag))
        else None,
        "events": events[:CHAIN_SHOWN],
        "more_events": max(0, len(events) - CHAIN_SHOWN),
    }
