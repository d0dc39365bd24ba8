"""Who may do what in elderly care: rules for ``core.permissions.can``; imported by ``ElderlyConfig.ready``.

Sub-district and district approvers keep the elderly-care centres and move them through their
stages (the stage itself decides which step is possible: ``CENTRE_MACHINE``, 409 otherwise);
caseworkers and approvers keep the left-behind elderly register and record visits; leadership reads.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict, Forbidden
from core.roles import Cap
from elderly.models import (
    CENTRE_MACHINE,
    SUBSIDY_CORRECT_ACCOUNT,
    SUBSIDY_MACHINE,
    ElderlyCentre,
    ElderStatus,
    LeftBehindElder,
    OperatingSubsidy,
    SubsidyStatus,
)

CENTRES = [Cap.ELDERLY_CENTRE_EDIT]
REGISTER = [Cap.LEFT_BEHIND_EDIT]

permissions.register(ElderlyCentre, "create", caps=CENTRES)
permissions.register(ElderlyCentre, "edit", caps=CENTRES)
for _action in CENTRE_MACHINE.transitions:
    permissions.register(ElderlyCentre, _action, caps=CENTRES)  # the machine refuses a wrong stage (409)


def _on_register(actor, elder) -> bool:
    if elder is not None and elder.status != ElderStatus.ACTIVE:
        raise Conflict(_("This person has left the register."), code="invalid_transition")
    return True


permissions.register(LeftBehindElder, "create", caps=REGISTER)
for _action in ("edit", "visit", "close"):
    permissions.register(LeftBehindElder, _action, caps=REGISTER, check=_on_register)
permissions.register(LeftBehindElder, "export", caps=[Cap.ELDERLY_VIEW])


# Operating subsidies: entered by one (sub-district or district approvers), approved or refused by another
# with the power to approve (district approvers); never by the one who entered it (four eyes).
def _not_own_entry(actor, subsidy) -> bool:
    if subsidy is not None and subsidy.entered_by_id == actor.pk:
        raise Forbidden(_("You entered this subsidy: another member of staff approves it."))
    return True


permissions.register(OperatingSubsidy, "create", caps=[Cap.ELDERLY_SUBSIDY_ENTER])
for _action in SUBSIDY_MACHINE.transitions:
    permissions.register(OperatingSubsidy, _action, caps=[Cap.ELDERLY_SUBSIDY_APPROVE], check=_not_own_entry)


# Correcting the account an approved subsidy is paid to (a failed payment, or a bank's change notice
# before the run): the same four eyes as approving it. Only one with the power to approve may do it,
# never the one who entered the subsidy (who typed the account being corrected); only while approved.
def _correctable(actor, subsidy) -> bool:
    if subsidy is not None and subsidy.entered_by_id == actor.pk:
        raise Forbidden(_("You entered this subsidy: another member of staff with the power to approve corrects it."))
    if subsidy is not None and subsidy.status != SubsidyStatus.APPROVED:
        raise Conflict(_("Only an approved subsidy's account can be corrected."), code="invalid_transition")
    return True


permissions.register(OperatingSubsidy, SUBSIDY_CORRECT_ACCOUNT, caps=[Cap.ELDERLY_SUBSIDY_APPROVE], check=_correctable)
