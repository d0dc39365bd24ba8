"""Monitoring's kind of the work queue (``core.worklist``); imported by ``MonitoringConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from monitoring import selectors
from monitoring.models import RiskWarning, WarningStatus


@worklist.kind("warnings_open", _("Risk warnings to handle"), order=65)
def warnings_open(user):
    """Open warnings of the user's geography (a serious illness, payments failed twice, a refusal in hardship…)."""
    if not can(user, "handle", RiskWarning):
        return None
    return worklist.Waiting(
        selectors.warning_list(user=user, status=WarningStatus.OPEN),
        f"{reverse('monitoring:warning-list')}?status=open",
    )
