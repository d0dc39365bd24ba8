from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = _("Payouts")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        from core import auditchain, jobs
        from payouts import engine, history, permissions, services, worklist  # noqa: F401
        from payouts.models import PayoutRun, RunStatus

        # Every status change of a line, written by the lines' own trigger: append-only, chained, and
        # not even insertable by the application's role (it could forge a "paid").
        auditchain.register("payouts.LineStatusEvent", trigger_only=True)

        # Runs left queued or computing with no sign of life are restarted by the sweep (core/jobs.py).
        jobs.register(
            services.JOB_KIND,
            model=PayoutRun,
            running=[RunStatus.QUEUED, RunStatus.COMPUTING],
            restart=services.sweep_restart,
            namespace=engine.LOCK_NAMESPACE,
        )
