from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Low-income population monitoring")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kind (core.worklist), how its history reads
        from monitoring import history, permissions, worklist  # noqa: F401
