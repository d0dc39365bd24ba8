"""Two database roles: the application serves as one, migrates as the other (issue 22 §8).

* **The owner** owns every table, runs the migrations and installs the triggers
  (``core.auditchain.install`` after every ``migrate``). It is the login of
  ``MIGRATE_DATABASE_URL``, or, when that is unset, of ``DATABASE_URL``.
* **The application role** is what every request, task and command works through: it may
  read and write the portal's tables, but it is no superuser and owns nothing, so it cannot
  run DDL, ``ALTER TABLE … DISABLE TRIGGER``, ``TRUNCATE`` or ``SET session_replication_role``,
  and on the audit tables (history events, the pghistory context, the reveal, security and
  case logs…) it has INSERT and SELECT only (granted by ``core.auditchain.install``).

Two ways to run:

1. **Two logins** (a real server; README "Two database roles"): ``DATABASE_URL`` logs in as
   the application role, ``MIGRATE_DATABASE_URL`` as the owner. Connections use what they
   are given; ``as_owner()`` reconnects with the owner's credentials.
2. **One login** (``MIGRATE_DATABASE_URL`` unset: ``make run``, ``make test``, CI — the
   embedded server's ``postgres`` or the machine's): the login is the owner, and every
   connection switches to the role ``DATABASE_APP_ROLE`` (default ``civil_affairs_app``)
   with ``SET ROLE`` as it opens, creating that role (NOLOGIN) the first time when the login
   is a superuser. ``as_owner()`` is ``SET ROLE NONE`` for its duration. This is how the
   test suite creates its database (Django's "no database" connection never switches),
   migrates it as the owner and then runs every test as the application role. A login that
   is neither superuser nor a member of the application role keeps working as itself, as
   before two roles existed.

The switch is not a security boundary in mode 2 (a superuser session can ``RESET ROLE``);
it makes the development and test databases hold the same privileges as a real one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import NO_DB_ALIAS

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")

__all__ = ["analyze", "app_role_name", "as_owner", "switch_sql", "switch_target", "two_logins"]


def two_logins() -> bool:
    return bool(getattr(settings, "DATABASE_OWNER", None))


def app_role_name(using: str = DEFAULT_DB_ALIAS) -> str:
    """The role the application serves as (what ``core.auditchain.install`` grants to)."""
    if two_logins():
        return settings.DATABASES[using]["USER"]
    return settings.DATABASE_APP_ROLE


def switch_target(wrapper) -> str | None:
    """The role a new connection of ``wrapper`` switches to, or None to stay the login."""
    if wrapper.alias == NO_DB_ALIAS or wrapper.owner_depth or two_logins():
        return None
    return getattr(settings, "DATABASE_APP_ROLE", "") or None


def _role_block(role: str, then: str) -> str:
    if not ROLE_NAME.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    return f"""
DO $ca$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  {then}
END
$ca$"""  # noqa: S608 — a checked plain name


def create_role_sql(role: str) -> str:
    """Create the application role if it is missing and the login is a superuser (one-login mode)."""
    return _role_block(role, "")


def switch_sql(role: str) -> str:
    """Create the application role if missing (a superuser login only), then act as it if allowed."""
    return _role_block(
        role,
        f"IF pg_has_role(session_user, '{role}', 'MEMBER') THEN PERFORM set_config('role', '{role}', false); END IF;",
    )


# What the application role may ask of the owner: fresh planner statistics (ANALYZE is the owner's).
OWNER_FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_analyze(tbl regclass, cols text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  EXECUTE format('ANALYZE %s (%s)', tbl, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c));
END
$f$;
"""


def analyze(table: str, columns: list[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """``ANALYZE table (columns)`` on behalf of the application role (through the owner's function)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT portal_analyze(%s::regclass, %s)", [table, columns])


@contextmanager
def as_owner(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Inside, connection ``using`` acts as the owner of the tables (migrate, flush, the city generator)."""
    conn = connections[using]
    if not hasattr(conn, "owner_depth"):  # another backend: nothing to switch
        yield
        return
    swapped: dict | None = None
    conn.owner_depth += 1
    try:
        if conn.owner_depth == 1:
            if two_logins():
                if conn.in_atomic_block:
                    raise RuntimeError("as_owner() reconnects: it cannot start inside a transaction")
                conn.close()
                swapped = {k: conn.settings_dict.get(k) for k in _CREDENTIALS}
                conn.settings_dict.update({k: settings.DATABASE_OWNER.get(k) for k in _CREDENTIALS})
            elif conn.connection is not None:
                with conn.cursor() as cursor:
                    cursor.execute("SET ROLE NONE")
        yield
    finally:
        conn.owner_depth -= 1
        if conn.owner_depth == 0:
            if swapped is not None:
                conn.close()
                conn.settings_dict.update(swapped)
            elif conn.connection is not None and (role := switch_target(conn)):
                try:
                    with conn.cursor() as cursor:
                        cursor.execute(switch_sql(role))
                except DatabaseError:
                    conn.close()  # an aborted transaction: the next use reconnects as the application role
