from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from pghistory.models import MiddlewareEvents

        from core import permissions, security
        from core.drf import install_filter_validation, install_strict_input
        from core.models import DivisionChange
        from core.roles import Cap
        from core.scoping import declare_unscoped

        post_migrate.connect(_install_audit_chain, sender=self)
        security.connect()
        install_strict_input()
        install_filter_validation()
        # pghistory's events have no geography: the auditor reads all of them (masked, core.audit).
        declare_unscoped(MiddlewareEvents, view_cap=Cap.AUDIT_VIEW)
        # Division changes: entered by administrators (the page's form and the API ask the same rule).
        permissions.register(DivisionChange, "create", caps=[Cap.DIVISIONS_CHANGE])


def _install_audit_chain(sender, using="default", plan=None, verbosity=1, **kwargs) -> None:
    """After every ``migrate`` (as the owner): the audit tables' triggers, chain and grants."""
    if plan is None:  # ``flush`` re-sends post_migrate: nothing changed in the schema
        return
    from django.db import connections

    from core import auditchain

    auditchain.install(connections[using], verbosity=verbosity)
