from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents online")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kind (core.worklist), attachments (documents)
        from residents import permissions, worklist  # noqa: F401
