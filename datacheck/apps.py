from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacheckConfig(AppConfig):
    name = "datacheck"
    verbose_name = _("Data checking")

    def ready(self) -> None:
        from datacheck import permissions  # noqa: F401 - registers the rules of data checking with core.permissions
