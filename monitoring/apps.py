from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Low-income population monitoring")

    def ready(self) -> None:
        # its permission rules (core.permissions)
        from monitoring import permissions  # noqa: F401
