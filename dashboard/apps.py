from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # The dashboard subscribes to the payout engine's announcement; payouts never import it.
        from dashboard import services
        from payouts.signals import run_approved

        run_approved.connect(services.on_run_approved, dispatch_uid="dashboard.fold_approved_run")
