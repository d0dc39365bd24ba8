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
    CORRECTION_MACHINE,
    SUBSIDY_CORRECT_ACCOUNT,
    SUBSIDY_MACHINE,
    AccountCorrection,
    CorrectionStatus,
    ElderlyCentre,
    ElderlyInstitution,
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

# The register of elderly-care institutions: kept by those who keep the centres.
permissions.register(ElderlyInstitution, "create", caps=CENTRES)
permissions.register(ElderlyInstitution, "edit", caps=CENTRES)


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


# Correcting the account an approved subsidy is paid to (a failed payment, or a bank's change notice before
# the run): money to a new account, so four eyes twice over. Proposed (with the reason) by one with the power
# to approve or by a finance officer, never by the one who entered the subsidy (who typed the account being
# corrected); confirmed or rejected by a finance officer who neither proposed it nor entered the subsidy.
# Refused while the subsidy's payment is in a bank file already sent to the bank (the bank pays what the
# file says: a silent change would make the portal's record lie).
PROPOSE_CAPS = [Cap.ELDERLY_SUBSIDY_APPROVE, Cap.ELDERLY_ACCOUNT_CONFIRM]


def _not_sent(subsidy) -> None:
    from payouts.models import PayoutScheme
    from payouts.selectors import in_bank_file_sent

    if in_bank_file_sent(scheme=PayoutScheme.ELDERLY_OPERATING, source_id=subsidy.pk):
        raise Conflict(
            _(
                "This subsidy's payment is in a bank file already sent to the bank: its account cannot be changed "
                "now. If the bank returns the payment as failed, correct the account then: a follow-up run re-pays it."
            ),
            code="bank_file_sent",
        )


def _correctable(actor, subsidy) -> bool:
    if subsidy is None:
        return True
    if subsidy.entered_by_id == actor.pk:
        raise Forbidden(_("You entered this subsidy: another member of staff with the power to approve corrects it."))
    if subsidy.status != SubsidyStatus.APPROVED:
        raise Conflict(_("Only an approved subsidy's account can be corrected."), code="invalid_transition")
    if subsidy.corrections.filter(status=CorrectionStatus.PROPOSED).exists():
        raise Conflict(
            _("A correction of this subsidy's account is waiting for confirmation: confirm or reject it first."),
            code="correction_pending",
        )
    _not_sent(subsidy)
    return True


permissions.register(OperatingSubsidy, SUBSIDY_CORRECT_ACCOUNT, caps=PROPOSE_CAPS, check=_correctable)


def _decidable(action: str):
    def check(actor, correction) -> bool:
        if correction is None:
            return True
        if correction.proposed_by_id == actor.pk:
            raise Forbidden(_("You proposed this correction: another finance officer confirms or rejects it."))
        if correction.subsidy.entered_by_id == actor.pk:
            raise Forbidden(_("You entered this subsidy: another finance officer confirms the correction."))
        if action == "confirm":
            _not_sent(correction.subsidy)
        return True

    return check


for _action in CORRECTION_MACHINE.transitions:
    permissions.register(AccountCorrection, _action, caps=[Cap.ELDERLY_ACCOUNT_CONFIRM], check=_decidable(_action))
