from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Low-income population monitoring")

    def ready(self) -> None:
        # its permission rules, work-queue kind, household panel and how its history reads (core.*)
        from monitoring import history, panels, permissions, worklist  # noqa: F401
