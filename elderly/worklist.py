"""Elderly care's kind of the work queue (``core.worklist``); imported by ``ElderlyConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from elderly import selectors
from elderly.models import AccountCorrection, LeftBehindElder, OperatingSubsidy


@worklist.kind("left_behind_overdue", _("Left-behind elderly overdue for a visit"), order=75)
def left_behind_overdue(user):
    """Persons on the register not visited within their interval, for those who record the visits."""
    if not can(user, "visit", LeftBehindElder):
        return None
    return worklist.Waiting(selectors.elder_list(user=user, overdue=True), reverse("elderly:elder-list") + "?overdue=1")


@worklist.kind("subsidies_to_approve", _("Operating subsidies waiting for your approval"), order=76)
def subsidies_to_approve(user):
    """Entered subsidies in the approver's geography that this approver may decide: never one's own entry
    (the same rule as the approve button and ``services.subsidy_approve``, ``elderly.permissions``)."""
    if not can(user, "approve", OperatingSubsidy):
        return None
    subsidies = selectors.subsidy_list(user=user, to_approve=True)
    return worklist.Waiting(subsidies, reverse("elderly:subsidy-list") + "?to_approve=1")


@worklist.kind(
    "account_corrections_to_confirm", _("Subsidy account corrections waiting for your confirmation"), order=77
)
def account_corrections_to_confirm(user):
    """Operating subsidies whose new account another proposed, for the finance officers who may confirm it
    (never one's own proposal nor a subsidy one entered: ``elderly.permissions``)."""
    if not can(user, "confirm", AccountCorrection):
        return None
    subsidies = selectors.subsidy_list(user=user, to_confirm=True)
    return worklist.Waiting(subsidies, reverse("elderly:subsidy-list") + "?to_confirm=1")
