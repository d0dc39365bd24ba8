"""Who may do what in the marriage registry: rules for ``core.permissions.can``.

Imported by ``MarriageConfig.ready``. A district registrar completes (registers or withdraws)
a divorce at the office where it was applied for; a record is reviewed by someone other than
its registrar; appointments and office settings are the registrars' own. The registration
page asks ``can`` which forms to show; the services ``require_can``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict, Forbidden
from core.roles import Cap
from marriage.models import Appointment, HouseholdChange, HouseholdChangeStatus, Kind, Office, Registration, Status


def is_district(code: str) -> bool:
    return len(code) == 6 and not code.endswith("00")


def require_own_office(actor, office_code: str) -> None:
    own = actor.division_id or ""
    if is_district(own) and own != office_code:
        raise Forbidden(_("This record belongs to another office; it is completed there."))


def _divorce_pending(message):
    def check(actor, registration) -> bool:
        if registration is None:
            return True
        if registration.kind != Kind.DIVORCE:
            raise Conflict(message, code="invalid_transition")
        require_own_office(actor, registration.office_id)
        if registration.status != Status.COOLING_OFF:
            raise Conflict(
                _("A registration that is %(status)s cannot become %(to)s.")
                % {"status": registration.get_status_display(), "to": Status.REGISTERED.label},
                code="invalid_transition",
            )
        return True

    return check


@permissions.rule(Registration, "reissue", caps=[Cap.MARRIAGE_REGISTER])
def _reissuable(actor, registration) -> bool:
    """A registered marriage or divorce (a marriage not ended since) has a certificate to reissue."""
    if registration is None:
        return True
    original = registration.original if registration.kind == Kind.REISSUE else registration
    if original.status != Status.REGISTERED:
        raise Conflict(_("Only a registered marriage or divorce has a certificate."), code="not_registered")
    if original.kind == Kind.MARRIAGE and original.ended_on is not None:
        raise Conflict(
            _("This marriage ended on %(day)s; its certificate is no longer reissued.")
            % {"day": original.ended_on.isoformat()},
            code="marriage_ended",
        )
    return True


@permissions.rule(Registration, "review", caps=[Cap.MARRIAGE_REVIEW])
def _reviewable(actor, registration) -> bool:
    if registration is None:
        return True
    if registration.status != Status.REGISTERED:
        raise Conflict(_("Only a registered record is reviewed."), code="not_registered")
    if registration.registrar_id == actor.pk:
        raise Forbidden(_("A record is reviewed by someone other than the registrar who made it."))
    return True


@permissions.rule(HouseholdChange, "revert", caps=[Cap.MARRIAGE_HOUSEHOLD_REVERT])
def _revertible(actor, change) -> bool:
    if change is not None and change.status != HouseholdChangeStatus.APPLIED:
        raise Conflict(_("This change has already been reverted."), code="invalid_transition")
    return True


permissions.register(Registration, "create", caps=[Cap.MARRIAGE_REGISTER])
permissions.register(
    Registration,
    "register_divorce",
    caps=[Cap.MARRIAGE_REGISTER],
    check=_divorce_pending(_("Only a divorce application is registered this way.")),
)
permissions.register(
    Registration,
    "withdraw",
    caps=[Cap.MARRIAGE_REGISTER],
    check=_divorce_pending(_("Only a divorce application can be withdrawn.")),
)
permissions.register(HouseholdChange, "view", caps=[Cap.MARRIAGE_HOUSEHOLD_REVERT])
permissions.register(Appointment, "view", caps=[Cap.MARRIAGE_APPOINTMENTS])
permissions.register(Appointment, "book", caps=[Cap.MARRIAGE_APPOINTMENTS])
permissions.register(Appointment, "cancel", caps=[Cap.MARRIAGE_APPOINTMENTS])


@permissions.rule(Office, "configure", caps=[Cap.MARRIAGE_APPOINTMENTS])
def _own_office(actor, office) -> bool:
    """An office's capacity and settings are set by its own registrars (a city-level registrar: any office)."""
    if office is not None:
        own = actor.division_id or ""
        if is_district(own) and own != office.pk:
            raise Forbidden(_("Only the registrars of this office set its capacity."))
    return True


permissions.register("marriage.statistics", "view", caps=[Cap.MARRIAGE_STATS])
