"""Payouts' kind of the work queue (``core.worklist``); imported by ``PayoutsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from payouts import selectors
from payouts.models import PayoutRun


@worklist.kind("runs_to_approve", _("Payout runs waiting for your approval"), order=50)
def runs_to_approve(user):
    """Computed runs this finance officer did not start (maker ≠ checker)."""
    if not can(user, "approve", PayoutRun):
        return None
    runs = selectors.run_list(user=user, to_approve=True)
    return worklist.Waiting(runs, f"{reverse('payouts:run-list')}?to_approve=1")
