from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents online")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kind (core.worklist), attachments (documents),
        # how a resident reads as the writer in a history (core.history)
        from residents import history, permissions, worklist  # noqa: F401
