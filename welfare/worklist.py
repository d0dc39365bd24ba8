"""Welfare's kinds of the work queue (``core.worklist``); imported by ``WelfareConfig.ready``.

The sub-district reviews orphans' and disability-subsidy applications, the district approves
them: each kind only for the role that may act (``core.permissions.can``), counted from the
list its link opens.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.cases import CaseStatus
from core.permissions import can
from welfare import selectors
from welfare.models import DisabilitySubsidyCase, OrphanCase

LISTS = {
    OrphanCase: (selectors.orphan_case_list, "welfare:orphan-list"),
    DisabilitySubsidyCase: (selectors.subsidy_case_list, "welfare:subsidy-list"),
}


def _waiting(user, model, action: str, status: str):
    if not can(user, action, model):
        return None
    list_of, page = LISTS[model]
    return worklist.Waiting(list_of(user=user, status=status), f"{reverse(page)}?status={status}")


@worklist.kind("orphans_to_review", _("Orphans' allowance applications to review"), order=14)
def orphans_to_review(user):
    return _waiting(user, OrphanCase, "review", CaseStatus.SUBMITTED)


@worklist.kind("orphans_to_approve", _("Orphans' allowance applications to approve"), order=15)
def orphans_to_approve(user):
    return _waiting(user, OrphanCase, "approve", CaseStatus.REVIEWED)


@worklist.kind("subsidies_to_review", _("Disability subsidy applications to review"), order=16)
def subsidies_to_review(user):
    return _waiting(user, DisabilitySubsidyCase, "review", CaseStatus.SUBMITTED)


@worklist.kind("subsidies_to_approve", _("Disability subsidy applications to approve"), order=17)
def subsidies_to_approve(user):
    return _waiting(user, DisabilitySubsidyCase, "approve", CaseStatus.REVIEWED)
