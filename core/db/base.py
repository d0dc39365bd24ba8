"""Django's PostgreSQL backend whose connections act as the application role (``core.db.roles``)."""

from __future__ import annotations

from django.db.backends.postgresql import base

from core.db import roles


class DatabaseWrapper(base.DatabaseWrapper):
    #: > 0 while ``roles.as_owner()`` is active on this connection: no switch to the application role.
    owner_depth = 0

    def _configure_role(self, connection) -> bool:
        role = roles.switch_target(self)
        if role is None:
            return super()._configure_role(connection)
        with connection.cursor() as cursor:
            cursor.execute(roles.switch_sql(role))
        return True
