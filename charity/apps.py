from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "charity"
    verbose_name = _("Charity")

    def ready(self) -> None:
        # its permission rules (core.permissions) and its import kind (imports.registry)
        from charity import permissions  # noqa: F401
