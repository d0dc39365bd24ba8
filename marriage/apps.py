from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarriageConfig(AppConfig):
    name = "marriage"
    verbose_name = _("Marriage registration")

    def ready(self) -> None:
        from marriage import permissions  # noqa: F401 - registers the registry's rules with core.permissions
