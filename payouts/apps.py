from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = _("Payouts")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        from payouts import history, permissions, worklist  # noqa: F401
