"""``flush`` as the tables' owner, past the audit tables' refusal of TRUNCATE.

Only the owner may empty a database (the test suite's transactional tests do, between tests):
the audit tables' TRUNCATE trigger lets the owner's session through while
``civil_affairs.flush`` is on; the application role has no TRUNCATE privilege at all.
"""

from django.core.management.commands import flush
from django.db import connections

from core.db.roles import as_owner


class Command(flush.Command):
    def handle(self, **options):
        using = options.get("database") or "default"
        with as_owner(using):
            conn = connections[using]
            with conn.cursor() as cursor:
                cursor.execute("SET civil_affairs.flush = 'on'")
            try:
                return super().handle(**options)
            finally:
                if conn.connection is not None:
                    with conn.cursor() as cursor:
                        cursor.execute("RESET civil_affairs.flush")
