from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacheckConfig(AppConfig):
    name = "datacheck"
    verbose_name = _("Data checking")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        from datacheck import permissions, worklist  # noqa: F401
