from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElderlyConfig(AppConfig):
    name = "elderly"
    verbose_name = _("Elderly care")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        # and the operating subsidies' payout scheme (payouts.schemes)
        from elderly import payable, permissions, search, worklist  # noqa: F401
