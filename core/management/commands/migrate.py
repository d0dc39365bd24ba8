"""``migrate`` as the tables' owner (``core.db.roles``), then the audit chain (``core.auditchain.install``)."""

from django.core.management.commands import migrate

from core.db.roles import as_owner


class Command(migrate.Command):
    def execute(self, *args, **options):
        with as_owner(options.get("database") or "default"):
            return super().execute(*args, **options)
