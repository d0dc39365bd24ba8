"""Who may do what in welfare (orphans, the two disability subsidies): rules for ``core.permissions.can``.

Imported by ``WelfareConfig.ready``. The sub-district reviews (审核), the district approves
(审批), suspends, resumes and ends; nobody approves what they submitted themselves. The
pages ask ``can``/``allowed_actions``, the services ``require_can``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Forbidden
from core.roles import Cap
from core.scoping import division_in_scope
from welfare.models import ChildSupervisor, DisabilityCertificate, DisabilitySubsidyCase, OrphanCase


def _division(case) -> str:
    return case.person.division_id


def _district_approver(actor, case) -> bool:
    if case is not None and not division_in_scope(actor, _division(case)):
        raise Forbidden(_("The district approves, suspends, resumes and ends welfare cases."))
    return True


def _approve(actor, case) -> bool:
    _district_approver(actor, case)
    if case is not None and case.created_by_id == actor.pk:
        raise Forbidden(_("You submitted this yourself: someone else must approve it."))
    return True


DECIDERS = [Cap.WELFARE_REVIEW, Cap.WELFARE_APPROVE]

for _model in (OrphanCase, DisabilitySubsidyCase):
    permissions.register(_model, "create", caps=[Cap.WELFARE_APPLY])
    permissions.register(_model, "review", caps=[Cap.WELFARE_REVIEW])
    permissions.register(_model, "approve", caps=[Cap.WELFARE_APPROVE], check=_approve)
    permissions.register(_model, "reject", caps=DECIDERS)
    permissions.register(_model, "recheck", caps=DECIDERS)
    permissions.register(_model, "withdraw", caps=[Cap.WELFARE_APPLY])
    for _action in ("suspend", "resume", "terminate"):
        permissions.register(_model, _action, caps=[Cap.WELFARE_APPROVE], check=_district_approver)
permissions.register(OrphanCase, "amend", caps=[Cap.WELFARE_APPLY])

permissions.register(DisabilityCertificate, "create", caps=[Cap.WELFARE_APPLY])
permissions.register(DisabilityCertificate, "reassess", caps=[Cap.WELFARE_APPLY])
permissions.register(ChildSupervisor, "appoint", caps=[Cap.CHILD_SUPERVISOR_EDIT])
permissions.register(ChildSupervisor, "end", caps=[Cap.CHILD_SUPERVISOR_EDIT])
permissions.register(ChildSupervisor, "reveal", caps=[Cap.WELFARE_APPLY, Cap.CHILD_SUPERVISOR_EDIT])
permissions.register("welfare.incompatibility", "edit", caps=[Cap.STANDARDS_EDIT])
