from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarriageConfig(AppConfig):
    name = "marriage"
    verbose_name = _("Marriage registration")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search),
        # how its records read in a history (core.history)
        from marriage import documents, history, panels, permissions, search, worklist  # noqa: F401
