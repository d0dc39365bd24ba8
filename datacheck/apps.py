from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacheckConfig(AppConfig):
    name = "datacheck"
    verbose_name = _("Data checking")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        from core import jobs
        from datacheck import permissions, services, worklist  # noqa: F401
        from datacheck.models import CrossCheckRun, Extract, ExtractStatus, RunStatus

        # Left without a sign of life, they are queued again by the sweep (core/jobs.py).
        jobs.register(
            services.EXTRACT_JOB,
            model=Extract,
            running=[ExtractStatus.VALIDATING],
            restart=services.extract_requeue,
            since="uploaded_at",
        )
        jobs.register(
            services.RUN_JOB,
            model=CrossCheckRun,
            running=[RunStatus.QUEUED, RunStatus.RUNNING],
            restart=services.cross_check_run_requeue,
            since="created_at",
        )
