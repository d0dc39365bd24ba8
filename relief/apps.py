from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "relief"
    verbose_name = _("Social assistance")

    def ready(self) -> None:
        from relief import permissions  # noqa: F401 - registers relief's rules with core.permissions
