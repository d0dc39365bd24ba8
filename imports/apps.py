from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from imports import (
            permissions,  # noqa: F401 - registers the rules of bulk imports with core.permissions
            worklist,  # noqa: F401 - its kind of the work queue
        )
