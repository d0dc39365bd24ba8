from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "relief"
    verbose_name = _("Social assistance")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        # how its benefits are paid: its schemes' selections, registered with the payout engine
        from relief import (  # noqa: F401
            documents,
            history,
            payable,
            permissions,
            worklist,
        )
