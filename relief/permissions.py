"""Who may do what in social assistance: relief's rules for ``core.permissions.can``.

Imported by ``ReliefConfig.ready``. The pages ask ``can``/``allowed_actions`` which buttons
to show; the services ask ``require_can`` before they act: the same rules.

Who approves:
* a district approver approves anything in its district;
* a sub-district approver approves a temporary-relief claim up to its district's small-claim
  threshold (``temporary_relief_small_claim``), and dibao or tekun only where its district
  delegates that power (``Delegation``); above that it is refused with the reason (who
  approves instead);
* nobody approves a case or claim they submitted themselves.

A new action (``refer``, ``object``…) is one more ``register``/``@rule`` here, with the
same name as its ``Transition`` in the model's state machine.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from core import permissions
from core.cases import ApprovalLevel, CaseStatus, local_today
from core.errors import Conflict, Forbidden
from core.roles import Cap, has_cap
from core.scoping import division_in_scope
from relief import selectors
from relief.models import (
    AdmissionStatus,
    ClaimStatus,
    DibaoCase,
    FamilyTrace,
    Power,
    StationAdmission,
    TekunCase,
    TemporaryReliefClaim,
    TraceStatus,
)

APPROVERS = (Cap.RELIEF_APPROVE_DISTRICT, Cap.RELIEF_APPROVE_SUBDISTRICT)
REVIEWERS_AND_APPROVERS = (Cap.RELIEF_REVIEW, *APPROVERS)


def approval_level(
    actor, *, division: str, on: datetime.date, power: str | None = None, amount: Decimal | None = None
) -> str:
    """The level at which ``actor`` may approve this, or ``Forbidden`` saying who approves it instead."""
    if has_cap(actor, Cap.RELIEF_APPROVE_DISTRICT) and division_in_scope(actor, division):
        return ApprovalLevel.DISTRICT
    if has_cap(actor, Cap.RELIEF_APPROVE_SUBDISTRICT) and division_in_scope(actor, division):
        district = division[:6]
        if power is not None:
            if selectors.is_delegated(power, district, on):
                return ApprovalLevel.SUBDISTRICT
            raise Forbidden(
                _("Your district has not delegated this approval to sub-districts: the district approves it.")
            )
        threshold = selectors.small_claim_threshold(district, on)
        if amount is None:
            raise Forbidden()
        if amount <= threshold:
            return ApprovalLevel.SUBDISTRICT
        raise Forbidden(
            _("A sub-district approves claims up to %(threshold)s; this one (%(amount)s) goes to the district.")
            % {"threshold": f"{threshold:.2f}", "amount": f"{amount:.2f}"}
        )
    raise Forbidden()


def not_own_submission(actor, record) -> None:
    if record.created_by_id == actor.pk:
        raise Forbidden(_("You submitted this yourself: someone else must approve it."))


def division_of(record) -> str:
    """The division a relief record's decisions are taken for (the household's community, the person's division)."""
    if isinstance(record, TekunCase):
        return record.person.division_id
    return record.household.community_id


POWERS = {DibaoCase: Power.DIBAO_APPROVAL, TekunCase: Power.TEKUN_APPROVAL, TemporaryReliefClaim: None}


def _level_of(actor, record) -> str:
    return approval_level(
        actor,
        division=division_of(record),
        on=local_today(),
        power=POWERS[type(record)],
        amount=getattr(record, "amount", None) if isinstance(record, TemporaryReliefClaim) else None,
    )


def _approver(actor, record) -> bool:
    """Suspend, resume, terminate: the approving level's decisions."""
    if record is not None:
        _level_of(actor, record)
    return True


def notice_not_running(record) -> None:
    """The decision waits for the end of the 7-day public notice (409 ``notice_running``)."""
    notice_until = getattr(record, "notice_until", None)
    if record.status == CaseStatus.PUBLIC_NOTICE and notice_until is not None and local_today() <= notice_until:
        raise Conflict(
            _("The public notice runs until %(day)s: the decision can be taken from the day after.")
            % {"day": notice_until.isoformat()},
            code="notice_running",
        )


def _approve(actor, record) -> bool:
    if record is not None:
        if isinstance(record, (DibaoCase, TekunCase)):
            notice_not_running(record)
        if (
            isinstance(record, TemporaryReliefClaim)
            and record.status == ClaimStatus.REFERRED
            and not has_cap(actor, Cap.RELIEF_APPROVE_DISTRICT)
        ):
            raise Forbidden(_("This claim was referred to the district: the district approves it."))
        _level_of(actor, record)
        not_own_submission(actor, record)
    return True


def _investigated(actor, record) -> bool:
    """The initial opinion needs a recorded home investigation, a new one after an objection (409)."""
    if record is not None and (record.investigated_on is None or record.objection_open):
        message = (
            _("An objection was raised during the notice: record a new home investigation before the review.")
            if record.objection_open
            else _("Record the home investigation before the review.")
        )
        raise Conflict(message, code="investigation_missing")
    return True


def _reviewer_or_approver(actor, record) -> bool:
    """The sub-district reviewer decides (the record is in its geography), or whoever may approve it."""
    if record is None or has_cap(actor, Cap.RELIEF_REVIEW):
        return True
    _level_of(actor, record)
    return True


for _model in (DibaoCase, TekunCase):
    permissions.register(_model, "create", caps=[Cap.RELIEF_APPLY])
    permissions.register(_model, "review", caps=[Cap.RELIEF_REVIEW], check=_investigated)
    permissions.register(_model, "investigate", caps=[Cap.RELIEF_APPLY])
    # An objection is taken down by whoever hears it: the window's caseworker or an approver.
    permissions.register(_model, "object", caps=[Cap.RELIEF_APPLY, *REVIEWERS_AND_APPROVERS])
    permissions.register(_model, "approve", caps=APPROVERS, check=_approve)
    permissions.register(_model, "reject", caps=REVIEWERS_AND_APPROVERS, check=_reviewer_or_approver)
    permissions.register(_model, "recheck", caps=REVIEWERS_AND_APPROVERS, check=_reviewer_or_approver)
    permissions.register(_model, "withdraw", caps=[Cap.RELIEF_APPLY])
    for _action in ("suspend", "resume", "terminate"):
        permissions.register(_model, _action, caps=APPROVERS, check=_approver)

permissions.register(TemporaryReliefClaim, "create", caps=[Cap.RELIEF_APPLY])
permissions.register(TemporaryReliefClaim, "approve", caps=APPROVERS, check=_approve)
permissions.register(TemporaryReliefClaim, "withdraw", caps=[Cap.RELIEF_APPLY])


@permissions.rule(TemporaryReliefClaim, "refer", caps=[Cap.RELIEF_APPROVE_SUBDISTRICT])
def _refer(actor, claim) -> bool:
    """A sub-district approver refers what is above its power (its district's small-claim threshold)."""
    if claim is not None:
        threshold = selectors.small_claim_threshold(division_of(claim)[:6], local_today())
        if claim.amount <= threshold:
            raise Conflict(
                _("This claim (%(amount)s) is within the sub-district's power (up to %(threshold)s): decide it here.")
                % {"amount": f"{claim.amount:.2f}", "threshold": f"{threshold:.2f}"},
                code="within_power",
            )
    return True


@permissions.rule(TemporaryReliefClaim, "reject", caps=[Cap.RELIEF_REVIEW, Cap.RELIEF_APPROVE_DISTRICT])
def _claim_reject(actor, claim) -> bool:
    return True


@permissions.rule(TemporaryReliefClaim, "complete_paperwork", caps=[Cap.RELIEF_APPLY])
def _paperwork(actor, claim) -> bool:
    """Only a green-channel claim's paperwork is outstanding, and only once (409 otherwise)."""
    if claim is not None and (not claim.green_channel or claim.paperwork_completed_at is not None):
        raise Conflict(_("This claim has no paperwork outstanding."), code="invalid_transition")
    return True


@permissions.rule(TemporaryReliefClaim, "pay_cash", caps=[Cap.RELIEF_APPLY])
def _pay_cash(actor, claim) -> bool:
    """Cash at the window, once, and only for a claim no bank run has taken (409 otherwise)."""
    if claim is not None:
        if claim.paid_in_cash_at is not None:
            raise Conflict(_("This claim has already been paid in cash."), code="already_paid")
        if selectors.claim_in_bank_run(claim.pk):
            raise Conflict(
                _("This claim is already in a bank payment run: it is paid by bank transfer, not in cash."),
                code="paid_by_bank",
            )
    return True


# Vagrant relief: the station's staff record admissions, and while someone is in the station
# the services given, the family traces started and the discharge (the machine's move).
def _in_station(actor, admission) -> bool:
    if admission is not None and admission.status != AdmissionStatus.IN_STATION:
        raise Conflict(_("This person has left the station."), code="invalid_transition")
    return True


def _searching(actor, trace) -> bool:
    if trace is not None and trace.status != TraceStatus.SEARCHING:
        raise Conflict(_("This search is already concluded."), code="invalid_transition")
    return True


permissions.register(StationAdmission, "create", caps=[Cap.VAGRANT_EDIT])
permissions.register(StationAdmission, "discharge", caps=[Cap.VAGRANT_EDIT])
for _action in ("service", "trace"):
    permissions.register(StationAdmission, _action, caps=[Cap.VAGRANT_EDIT], check=_in_station)
permissions.register(FamilyTrace, "conclude", caps=[Cap.VAGRANT_EDIT], check=_searching)

# Reference tables: the administrator keeps the standards and the price indices.
permissions.register("relief.standard", "edit", caps=[Cap.STANDARDS_EDIT])
permissions.register("relief.priceindex", "edit", caps=[Cap.PRICE_INDEX_EDIT])
