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
from core.scoping import division_in_scope
from payouts.models import CITY_CODE, REQUEST_ACTION, PayoutRun, RunEvent, RunStatus

# The moves that (re)compute a run's lines: whoever made any of them is its maker.
COMPUTING_ACTIONS = (REQUEST_ACTION, "recompute", "restart")


def computed_by(run) -> set[int]:
    """Everyone who started, restarted or recomputed ``run`` (its run events; the schedule is nobody)."""
    return set(
        RunEvent.objects.filter(run_id=run.pk, action__in=COMPUTING_ACTIONS, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )


@permissions.rule(PayoutRun, "approve", caps=[Cap.PAYOUT_APPROVE])
def _not_the_maker(actor, run) -> bool:
    """Maker ≠ checker: nobody who computed the lines (started, restarted or recomputed the run,
    issue 22 §3: "fin1 starts, fin2 recomputes and approves") approves them; a scheduled run is
    approved by someone who did not recompute it."""
    if run is None:
        return True
    if run.started_by_id == actor.pk:
        raise Forbidden(_("You started this run: another finance officer must approve it."))
    if actor.pk in computed_by(run):
        raise Forbidden(_("You computed this run again: another finance officer must approve it."))
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


def _at_the_runs_level(actor, run) -> bool:
    """Runs are the city's (``PayoutRun.division``): only a finance officer whose geography holds
    it starts one (issue 22 §4: a district's officer started city runs, then got 404 on them)."""
    if not division_in_scope(actor, run.division_id if run is not None else CITY_CODE):
        raise Forbidden(_("Payout runs are the whole city's: a finance officer of the city starts them."))
    return True


permissions.register(PayoutRun, "start", caps=[Cap.PAYOUT_START], check=_at_the_runs_level)
permissions.register(PayoutRun, "recompute", caps=[Cap.PAYOUT_START])
permissions.register(PayoutRun, "export", caps=[Cap.PAYOUT_BANK_FILES])
permissions.register(PayoutRun, "record_returns", caps=[Cap.PAYOUT_BANK_FILES])
