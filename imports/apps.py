from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from core import jobs
        from imports import (
            permissions,  # noqa: F401 - registers the rules of bulk imports with core.permissions
            services,
            worklist,  # noqa: F401 - its kind of the work queue
        )
        from imports.models import ImportJob, ImportStatus

        # A job left checking or writing with no sign of life is queued again by the sweep (core/jobs.py).
        jobs.register(
            services.JOB_KIND,
            model=ImportJob,
            running=[ImportStatus.VALIDATING, ImportStatus.COMMITTING],
            restart=services.import_requeue,
        )
