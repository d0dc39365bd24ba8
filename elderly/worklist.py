"""Elderly care's kind of the work queue (``core.worklist``); imported by ``ElderlyConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from elderly import selectors
from elderly.models import LeftBehindElder


@worklist.kind("left_behind_overdue", _("Left-behind elderly overdue for a visit"), order=75)
def left_behind_overdue(user):
    """Persons on the register not visited within their interval, for those who record the visits."""
    if not can(user, "visit", LeftBehindElder):
        return None
    return worklist.Waiting(selectors.elder_list(user=user, overdue=True), reverse("elderly:elder-list") + "?overdue=1")
