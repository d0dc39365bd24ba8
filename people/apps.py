from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and households")

    def ready(self) -> None:
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        from people import permissions, search  # noqa: F401
