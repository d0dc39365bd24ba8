from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialOrgsConfig(AppConfig):
    name = "social_orgs"
    verbose_name = _("Social organizations")

    def ready(self) -> None:
        from social_orgs import permissions  # noqa: F401 - registers the rules of social organizations with core.permissions
