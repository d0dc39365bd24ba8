from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from pghistory.models import MiddlewareEvents

        from core import security
        from core.drf import install_filter_validation, install_strict_input
        from core.roles import Cap
        from core.scoping import declare_unscoped

        security.connect()
        install_strict_input()
        install_filter_validation()
        # pghistory's events have no geography: the auditor reads all of them (masked, core.audit).
        declare_unscoped(MiddlewareEvents, view_cap=Cap.AUDIT_VIEW)
