"""``showmigrations`` as the owner: it reads the migration history, which the application role may not write."""

from django.core.management.commands import showmigrations

from core.db.roles import as_owner


class Command(showmigrations.Command):
    def execute(self, *args, **options):
        with as_owner(options.get("database") or "default"):
            return super().execute(*args, **options)
