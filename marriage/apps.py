from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarriageConfig(AppConfig):
    name = "marriage"
    verbose_name = _("Marriage registration")
