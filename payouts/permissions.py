"""Who may do what with payout runs: rules for ``core.permissions.can``.

Imported by ``PayoutsConfig.ready``. Finance officers start runs; a second finance officer,
not the one who started it, approves (maker ≠ checker); bank files go out and their returns
come in through those who hold ``PAYOUT_BANK_FILES``. The states come from ``RUN_MACHINE``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict, Forbidden
from core.roles import Cap
from payouts.models import PayoutRun, RunStatus


@permissions.rule(PayoutRun, "approve", caps=[Cap.PAYOUT_APPROVE])
def _not_the_maker(actor, run) -> bool:
    if run is not None and run.started_by_id == actor.pk:
        raise Forbidden(_("You started this run: another finance officer must approve it."))
    return True


def require_restartable(run) -> None:
    """A failed run, or one with no sign of life for too long (it resumes where it stopped); else 409 ``not_stuck``."""
    from payouts import selectors, services

    if run.status != RunStatus.FAILED and not selectors.is_stuck(run, stuck_after=services.stuck_after()):
        raise Conflict(
            _("The run is still within its time (last sign of life %(at)s); wait before restarting it.")
            % {"at": timezone.localtime(run.heartbeat_at or run.updated_at).strftime("%Y-%m-%d %H:%M:%S")},
            code="not_stuck",
        )


def require_paid_out(run) -> None:
    """Failed lines are known once the bank's return is imported (exported or reconciled runs); else 409."""
    if run.status not in (RunStatus.EXPORTED, RunStatus.RECONCILED):
        raise Conflict(
            _("Failed lines are known once the bank's return is imported; this run is “%(state)s”.")
            % {"state": run.status_label()},
            code="invalid_transition",
        )


permissions.register(
    PayoutRun, "restart", caps=[Cap.PAYOUT_START], check=lambda actor, run: run is None or require_restartable(run)
)
permissions.register(
    PayoutRun, "follow_up", caps=[Cap.PAYOUT_START], check=lambda actor, run: run is None or require_paid_out(run)
)
permissions.register(PayoutRun, "start", caps=[Cap.PAYOUT_START])
permissions.register(PayoutRun, "recompute", caps=[Cap.PAYOUT_START])
permissions.register(PayoutRun, "export", caps=[Cap.PAYOUT_BANK_FILES])
permissions.register(PayoutRun, "record_returns", caps=[Cap.PAYOUT_BANK_FILES])
