"""An audit trail that cannot be forged or wiped (issue 22 §8).

Every audit table — pghistory's context and event tables, and every log the apps keep
append-only (the reveal, security and case logs, run events, status changes…) — is
**append-only** and **chained**:

* **Append-only for everyone.** Non-ignorable triggers refuse UPDATE and DELETE (row level) and
  TRUNCATE (statement level) whoever asks, the owner included; the application role
  (``core.db.roles``) moreover has only SELECT and INSERT on these tables, so it cannot
  truncate, and it cannot switch triggers off (no ownership, no superuser). pgtrigger's own
  ``Protect`` triggers stay; ``pgtrigger.ignore`` never skipped these, and it is honoured only
  for the owner's sessions now (``IGNORE_FUNCTION``), so the application's role can skip no
  pgtrigger trigger either (history triggers, guards).
* **Chained, so that even the owner leaves marks.** A BEFORE INSERT row trigger gives each row its
  place (``audit_seq``), the batch of its transaction (``audit_batch``) and the SHA-256 of its
  content (``audit_hash``) — the only per-row work, because only a row trigger can give a row its
  values; an AFTER INSERT *statement* trigger folds the hashes of all the statement's rows (its
  transition table, in ``audit_seq`` order, one SQL pass) into the batch's running digest; a
  deferred constraint trigger, queued for the batch's first row only, seals the batch at commit:
  one ``core.AuditSeal`` row
  (the table's next link: row count, digest, the hashed columns, and a hash over the previous
  link). Rows are inserted without any lock; only sealing, at commit, takes one lock
  (``pg_advisory_xact_lock``) and the table's head row (``core.AuditChainHead``), so two
  concurrent transactions always link one after the other and never fork the chain — the
  head is updated with ``INSERT … ON CONFLICT DO UPDATE``, which waits for and then builds on
  the other transaction's committed head. The chain triggers are ``ENABLE ALWAYS``: they fire
  even under ``session_replication_role = replica``.
* ``verify()`` (``manage.py audit_verify``, nightly in Celery beat) recomputes every row's hash,
  every batch's digest and every link, and names the first broken link of each table: a row
  changed, rows removed, rows added outside the chain or into a sealed batch, a link removed.

The mechanism is DDL installed by ``install()`` after every ``migrate`` (as the owner), so that
**registering a table is one line**: a model with a ``pgtrigger.Protect`` refusing UPDATE and
DELETE is found by itself, every pghistory event model too, and anything else is added with
``auditchain.register("app.Model")`` in its app's ``ready()``. A table that gains a column is
hashed with the new column from the next seal on (each seal records its columns).

``_pgh_attach_context()`` is replaced as well: a context row is never updated (a new row per
distinct metadata instead), and a change made outside the portal's own sessions
(``application_name`` ``civil_affairs``) gets the context ``{"actor": "database", …}`` instead of
none, so the history says 数据库直接修改 rather than nothing.

What a chain cannot show by itself: an owner who rewrites a table *and recomputes every later
link* from a point on. ``verify()`` therefore also compares the chain with the heads recorded by
earlier checks (``core.AuditCheck``, itself chained), and the nightly task writes each head to
the portal's log, outside the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass, field

from django.apps import apps
from django.db import connection as default_connection
from django.db import transaction

logger = logging.getLogger("civil_affairs.audit")

CHAIN_COLUMNS = ("audit_seq", "audit_batch", "audit_hash")
_EXTRA: set[str] = set()
_TRIGGER_ONLY: set[str] = set()
SEAL_TABLE = "core_auditseal"
HEAD_TABLE = "core_auditchainhead"
CHECK_LABEL = "core.AuditCheck"


def register(*labels: str, trigger_only: bool = False) -> None:
    """Make ``app.Model`` append-only and chained (for a log without a ``pgtrigger.Protect``).

    ``trigger_only``: the log is written by a trigger's owner-defined (SECURITY DEFINER) function
    alone, so the application's role may not insert into it either (it could forge entries).
    """
    _EXTRA.update(label.lower() for label in labels)
    if trigger_only:
        _TRIGGER_ONLY.update(label.lower() for label in labels)


def trigger_only_tables() -> list[str]:
    return [m._meta.db_table for m in chained_models() if m._meta.label_lower in _TRIGGER_ONLY]


def _is_append_only(model) -> bool:
    for trigger in getattr(model._meta, "triggers", []):
        operation = str(getattr(trigger, "operation", ""))
        if type(trigger).__name__ == "Protect" and "UPDATE" in operation and "DELETE" in operation:
            return True
    return False


def chained_models() -> list:
    """Every model whose table is append-only and chained, sorted by table."""
    from pghistory.models import Context, Event

    found = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in (SEAL_TABLE, HEAD_TABLE):
            continue
        if model is Context or issubclass(model, Event) or _is_append_only(model) or meta.label_lower in _EXTRA:
            found[meta.db_table] = model
    return [found[t] for t in sorted(found)]


def chained_tables() -> list[str]:
    return [m._meta.db_table for m in chained_models()]


# --- The database side ------------------------------------------------------------------------

# Output settings that change how a value reads as JSON: fixed, so a hash is the same whoever inserts.
_CANONICAL = ("TimeZone = 'UTC'", "IntervalStyle = 'postgres'", "extra_float_digits = 1", "bytea_output = 'hex'")
_STABLE = " ".join(f"SET {setting}" for setting in _CANONICAL)

FUNCTIONS = f"""
CREATE SEQUENCE IF NOT EXISTS audit_chain_seq;

CREATE OR REPLACE FUNCTION audit_json_hash(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT encode(sha256(convert_to(j::text, 'UTF8')), 'hex')
$f$;

-- A row's hash over the columns ``cols`` (what verification recomputes, with a link's columns).
CREATE OR REPLACE FUNCTION audit_row_hash(r jsonb, cols text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
  SELECT audit_json_hash(coalesce(
    (SELECT jsonb_object_agg(key, value) FROM jsonb_each(r) WHERE key = ANY(cols)), '{{}}'::jsonb))
$f$;

-- The same hash in a session whose output settings differ (another TimeZone…): fixed for the call.
CREATE OR REPLACE FUNCTION audit_canonical_hash(r anyelement) RETURNS text
LANGUAGE plpgsql {_STABLE} AS $f$
BEGIN
  RETURN audit_json_hash(to_jsonb(r) - '{{audit_seq,audit_batch,audit_hash}}'::text[]);
END
$f$;

-- One step of a batch's running digest (PL/pgSQL: as an aggregate's step it is called once a row,
-- and a PL/pgSQL expression is cheaper to call than a SQL function's body).
CREATE OR REPLACE FUNCTION audit_step(state text, h text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN encode(sha256(convert_to(coalesce(state, '') || coalesce(h, ''), 'UTF8')), 'hex');
END
$f$;

CREATE OR REPLACE AGGREGATE audit_digest(text) (SFUNC = audit_step, STYPE = text, INITCOND = '');

-- The same digest continued from ``start`` (the batch's digest before this statement).
CREATE OR REPLACE FUNCTION audit_step_from(state text, start text, h text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN encode(sha256(convert_to(coalesce(state, start, '') || coalesce(h, ''), 'UTF8')), 'hex');
END
$f$;

CREATE OR REPLACE AGGREGATE audit_digest_from(text, text) (SFUNC = audit_step_from, STYPE = text);

CREATE OR REPLACE FUNCTION audit_link(prev text, tbl text, seq bigint, batch uuid, n bigint, digest text, cols text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT encode(sha256(convert_to(concat_ws('|', coalesce(prev, ''), tbl, seq::text, batch::text, n::text,
                                            digest, array_to_string(cols, ',')), 'UTF8')), 'hex')
$f$;

-- The batch state of a transaction, one setting a table (``civil_affairs.chain_<table>``, local to
-- the transaction): ``batch:rows folded:running digest:first row's audit_seq``.
--
-- Every inserted row (BEFORE, per row: only a row trigger may give a row its values): its place, its
-- transaction's batch, the hash of its content (every column but these three). No lock, no SET
-- clause on the fast path: the portal's sessions already have the canonical output settings. The
-- first row of a batch opens it and is the one whose deferred seal event is queued (``zz_audit_seal``'s
-- WHEN): one event a batch, not one a row.
CREATE OR REPLACE FUNCTION audit_chain_row() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  st text := current_setting('civil_affairs.chain_' || TG_TABLE_NAME, true);
BEGIN
  NEW.audit_seq := nextval('public.audit_chain_seq');
  IF st IS NULL OR st = '' THEN
    st := gen_random_uuid()::text || ':0::' || NEW.audit_seq::text;
    PERFORM set_config('civil_affairs.chain_' || TG_TABLE_NAME, st, true);
  END IF;
  NEW.audit_batch := left(st, 36)::uuid;
  IF current_setting('TimeZone') = 'UTC' AND current_setting('IntervalStyle') = 'postgres'
     AND current_setting('extra_float_digits') = '1' AND current_setting('bytea_output') = 'hex' THEN
    NEW.audit_hash := encode(sha256(convert_to(
      (to_jsonb(NEW) - '{{audit_seq,audit_batch,audit_hash}}'::text[])::text, 'UTF8')), 'hex');
  ELSE
    NEW.audit_hash := audit_canonical_hash(NEW);
  END IF;
  RETURN NEW;
END
$f$;

-- After each statement (set-based, over the statement's transition table): its rows of the open batch
-- counted and folded into the batch's running digest in one pass, in their order (``audit_seq``) —
-- the digest is the one verification recomputes over the whole batch, whatever the statements were.
-- When the constraints are immediate (``SET CONSTRAINTS … IMMEDIATE``) the seal's event fires at the
-- end of the statement *before* this trigger and finds nothing folded yet: it leaves the mark ``s``
-- and the batch is sealed here, so that it is still sealed at the end of its statement.
-- SECURITY DEFINER (it may seal) without a SET clause: every name it uses is qualified.
CREATE OR REPLACE FUNCTION audit_chain_fold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $f$
DECLARE
  k text := 'civil_affairs.chain_' || TG_TABLE_NAME;
  st text := coalesce(pg_catalog.current_setting(k, true), '');
  b text := pg_catalog.split_part(st, ':', 1);
  n bigint;
  added bigint;
  d text;
BEGIN
  IF b = '' THEN
    RETURN NULL;  -- no row of this statement (an ON CONFLICT DO NOTHING that inserted none)
  END IF;
  SELECT pg_catalog.count(*), public.audit_digest_from(pg_catalog.split_part(st, ':', 3), r.audit_hash
                                                       ORDER BY r.audit_seq)
    INTO added, d
    FROM audit_new r WHERE r.audit_batch = b::uuid;
  IF added = 0 THEN
    RETURN NULL;
  END IF;
  n := coalesce(nullif(pg_catalog.split_part(st, ':', 2), '')::bigint, 0) + added;
  IF pg_catalog.split_part(st, ':', 5) = 's' THEN
    PERFORM public.audit_seal_batch(TG_TABLE_NAME::text, b::uuid, n, d,
      ARRAY(SELECT c FROM pg_catalog.jsonb_object_keys(
        (SELECT pg_catalog.to_jsonb(r) FROM audit_new r LIMIT 1) - '{{audit_seq,audit_batch,audit_hash}}'::text[]) c
        ORDER BY c));
    PERFORM pg_catalog.set_config(k, '', true);
  ELSE
    PERFORM pg_catalog.set_config(k, b || ':' || n::text || ':' || d || ':' || pg_catalog.split_part(st, ':', 4), true);
  END IF;
  RETURN NULL;
END
$f$;

CREATE OR REPLACE FUNCTION audit_seal_batch(tbl text, b uuid, n bigint, d text, cols text[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE s bigint; hh text;
BEGIN
  PERFORM pg_advisory_xact_lock(7221308);  -- one sealer at a time: heads are locked in one order
  INSERT INTO public.{HEAD_TABLE} AS h (table_name, seq, hash)
    VALUES (tbl, 1, audit_link('', tbl, 1, b, n, d, cols))
    ON CONFLICT (table_name) DO UPDATE
      SET seq = h.seq + 1, hash = audit_link(h.hash, h.table_name, h.seq + 1, b, n, d, cols)
    RETURNING seq, hash INTO s, hh;
  INSERT INTO public.{SEAL_TABLE} (table_name, seq, batch, row_count, digest, columns, hash, at)
    VALUES (tbl, s, b, n, d, cols, hh, clock_timestamp());
  RETURN s;
END
$f$;

-- At commit (a deferred constraint trigger queued for the first row of each batch only): the batch
-- becomes the table's next link, with the columns its rows were hashed over.
-- SECURITY DEFINER without a SET clause (it runs for every row): every name it uses is qualified.
CREATE OR REPLACE FUNCTION audit_chain_seal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $f$
DECLARE
  k text := 'civil_affairs.chain_' || TG_TABLE_NAME;
  st text := coalesce(pg_catalog.current_setting(k, true), '');
  n bigint := coalesce(nullif(pg_catalog.split_part(st, ':', 2), '')::bigint, 0);
BEGIN
  IF n > 0 THEN
    PERFORM public.audit_seal_batch(
      TG_TABLE_NAME::text, pg_catalog.split_part(st, ':', 1)::uuid, n, pg_catalog.split_part(st, ':', 3),
      ARRAY(SELECT c FROM pg_catalog.jsonb_object_keys(
        pg_catalog.to_jsonb(NEW) - '{{audit_seq,audit_batch,audit_hash}}'::text[]) c ORDER BY c));
    PERFORM pg_catalog.set_config(k, '', true);
  ELSIF pg_catalog.split_part(st, ':', 1) <> '' THEN
    PERFORM pg_catalog.set_config(k, st || ':s', true);  -- fired before its statement's fold: sealed there
  END IF;
  RETURN NULL;
END
$f$;

CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('civil_affairs.flush', true) = 'on'
     AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
    RETURN NULL;  -- the owner's flush of a scratch or test database (core/management/commands/flush.py)
  END IF;
  RAISE EXCEPTION 'audit: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$f$;

CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS uuid LANGUAGE plpgsql AS $f$
DECLARE
  cid uuid;
  meta jsonb;
  rid uuid;
BEGIN
  BEGIN
    cid := nullif(current_setting('pghistory.context_id', true), '')::uuid;
    meta := nullif(current_setting('pghistory.context_metadata', true), '')::jsonb;
  EXCEPTION WHEN OTHERS THEN
    cid := NULL;
  END;
  IF cid IS NULL OR meta IS NULL THEN
    IF coalesce(current_setting('application_name', true), '') LIKE 'civil_affairs%' THEN
      RETURN NULL;  -- the portal itself, outside any actor's context: "System"
    END IF;
    -- Nobody in the portal: a statement run directly in the database. Say so, once a transaction.
    meta := jsonb_build_object('actor', 'database', 'db_user', session_user::text,
                               'application', coalesce(current_setting('application_name', true), ''));
    rid := md5('database:' || txid_current()::text || ':' || meta::text)::uuid;
  ELSE
    rid := md5(cid::text || ':' || meta::text)::uuid;  -- a context row is never updated
  END IF;
  IF NOT EXISTS (SELECT FROM pghistory_context WHERE id = rid) THEN
    INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
      VALUES (rid, meta, now(), now()) ON CONFLICT (id) DO NOTHING;
  END IF;
  RETURN rid;
END
$f$;

REVOKE EXECUTE ON FUNCTION audit_seal_batch(text, uuid, bigint, text, text[]) FROM PUBLIC;
"""  # noqa: S608 — constants only

# pgtrigger's escape hatch (``SET pgtrigger.ignore = '{table:trigger}'``) is a setting anyone may set:
# with pgtrigger's own function, the application's role could switch off every history trigger
# (and any pgtrigger guard) for its statements. Replaced here, after every migrate (a pgtrigger
# migration reinstalls its own), by one that honours the setting only for the owner's sessions
# (migrations, flush, the city generator, ``as_owner()``), never for the application's role,
# whatever the setting says. Cheap on the common path: nothing is looked up unless the setting
# names this very trigger. The audit tables' own refusals are plain triggers and never ask.
IGNORE_FUNCTION = """
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name name) RETURNS boolean
LANGUAGE plpgsql AS $f$
DECLARE
  ignoring text[];
BEGIN
  BEGIN
    ignoring := nullif(current_setting('pgtrigger.ignore', true), '')::text[];
  EXCEPTION WHEN OTHERS THEN
    RETURN FALSE;
  END;
  IF ignoring IS NULL OR NOT (trigger_name = ANY(ignoring)) THEN
    RETURN FALSE;
  END IF;
  RETURN pg_has_role(current_user, %(owner)s, 'MEMBER');
END
$f$;
"""

# name: (kind, definition, what the installed definition shows when it is this one). Per row only what
# must be per row (a row's own values); the digest once a statement; the seal's event once a batch.
TRIGGERS = {
    "zz_audit_row": (
        "TRIGGER",
        "BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION audit_chain_row()",
        "FOR EACH ROW EXECUTE FUNCTION audit_chain_row()",
    ),
    "zz_audit_count": (
        "TRIGGER",
        "AFTER INSERT ON {t} REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_fold()",
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_fold()",
    ),
    "zz_audit_seal": (
        "CONSTRAINT TRIGGER",
        "AFTER INSERT ON {t} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "WHEN ((NEW.audit_seq)::text = split_part(current_setting({key}, true), ':', 4)) "
        "EXECUTE FUNCTION audit_chain_seal()",
        "current_setting({key}::text, true)",  # as PostgreSQL shows it: the table's own setting
    ),
}
REFUSE = {
    "zz_audit_refuse": "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    "zz_audit_no_truncate": "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return [r[0] for r in cursor.fetchall()]


def _triggers(cursor, table: str) -> dict[str, tuple[str, str]]:
    """The chain's triggers on ``table``: how each is enabled (O origin, A always, D disabled), its definition."""
    cursor.execute(
        "SELECT tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND tgname LIKE 'zz_audit_%%'",
        [table],
    )
    return {name: (enabled, definition) for name, enabled, definition in cursor.fetchall()}


def state_key(table: str) -> str:
    """The setting that holds a transaction's open batch of ``table`` (``audit_chain_row()``'s)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table):
        raise ValueError(f"audit: table name {table!r} cannot name a setting")
    return "civil_affairs.chain_" + table


def _existing(cursor, tables: list[str]) -> set[str]:
    cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)", [tables])
    return {r[0] for r in cursor.fetchall()}


def _install_table(cursor, table: str, chained: bool) -> None:
    t = _q(table)
    have = _triggers(cursor, table)
    for name, sql in REFUSE.items():
        if name not in have:
            cursor.execute(f"CREATE TRIGGER {name} " + sql.format(t=t))
    if not chained:
        return
    columns = _columns(cursor, table)
    new = not set(CHAIN_COLUMNS) <= set(columns)
    if new:
        cursor.execute(
            f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS audit_seq bigint, "
            "ADD COLUMN IF NOT EXISTS audit_batch uuid, ADD COLUMN IF NOT EXISTS audit_hash text"
        )
    key = "'" + state_key(table) + "'"
    for name, (kind, sql, shows) in TRIGGERS.items():
        enabled, definition = have.get(name, ("", ""))
        if definition and shows.format(key=key) not in definition:
            cursor.execute(f"DROP TRIGGER {name} ON {t}")  # an earlier shape (per-row digest and seal events)
            enabled = definition = ""
        if not definition:
            cursor.execute(f"CREATE {kind} {name} " + sql.format(t=t, key=key))
        if enabled != "A":
            cursor.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {name}")
    if new:  # only rows from before the chain: a row without a link later is a finding, never sealed here
        _seal_existing(cursor, table, sorted(c for c in columns if c not in CHAIN_COLUMNS))


def _seal_existing(cursor, table: str, hashed: list[str]) -> None:
    """Rows from before the chain (an existing database): hashed and sealed as one batch, as found."""
    t = _q(table)
    cursor.execute(f"SELECT EXISTS (SELECT FROM {t} WHERE audit_batch IS NULL)")  # noqa: S608
    if not cursor.fetchone()[0]:
        return
    cursor.execute("SELECT gen_random_uuid()")
    batch = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {t} DISABLE TRIGGER USER")
    cursor.execute(
        f"UPDATE {t} AS r SET audit_seq = nextval('audit_chain_seq'), audit_batch = %s, "  # noqa: S608
        "audit_hash = audit_row_hash(to_jsonb(r), %s) WHERE audit_batch IS NULL",
        [batch, hashed],
    )
    cursor.execute(f"ALTER TABLE {t} ENABLE TRIGGER USER")
    for name in TRIGGERS:
        cursor.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {name}")
    cursor.execute(
        f"SELECT count(*), audit_digest(audit_hash ORDER BY audit_seq) FROM {t} WHERE audit_batch = %s",  # noqa: S608
        [batch],
    )
    n, digest = cursor.fetchone()
    cursor.execute("SELECT audit_seal_batch(%s, %s, %s, %s, %s)", [table, batch, n, digest, hashed])


def _grant(cursor, app_role: str, chained: list[str]) -> None:
    cursor.execute("SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [app_role])
    owner, exists = cursor.fetchone()
    if not exists or owner == app_role:
        logger.warning("audit: no application role %r apart from the owner %r: privileges not split", app_role, owner)
        return
    role = _q(app_role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}")
    cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    read_only = [*chained, "django_migrations"]
    cursor.execute(f"REVOKE UPDATE, DELETE ON {', '.join(map(_q, read_only))} FROM {role}")
    cursor.execute(
        f"REVOKE INSERT, UPDATE, DELETE ON {_q(SEAL_TABLE)}, {_q(HEAD_TABLE)}, django_migrations FROM {role}"
    )
    written_by_triggers = [t for t in trigger_only_tables() if t in chained]
    if written_by_triggers:
        cursor.execute(f"REVOKE INSERT ON {', '.join(map(_q, written_by_triggers))} FROM {role}")
    try:
        with transaction.atomic():
            cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}")
    except Exception:  # noqa: BLE001 — the schema belongs to someone else: its owner decides
        logger.warning("audit: could not revoke CREATE on schema public (not its owner)")


def install(using_connection=None, verbosity: int = 0) -> None:
    """Install (idempotently) the functions, triggers, columns and grants: run as the owner after ``migrate``."""
    from core.db.roles import OWNER_FUNCTIONS, app_role_name, create_role_sql, two_logins

    conn = using_connection or default_connection
    models = chained_models()
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        tables = [SEAL_TABLE, *[m._meta.db_table for m in models]]
        present = _existing(cursor, [*tables, HEAD_TABLE])
        if SEAL_TABLE not in present or HEAD_TABLE not in present:
            return  # migrating backwards, or core's tables not made yet
        for setting in _CANONICAL:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(FUNCTIONS)
        cursor.execute(OWNER_FUNCTIONS)
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(IGNORE_FUNCTION.replace("%(owner)s", "'" + owner.replace("'", "''") + "'"))
        chained = []
        for table in tables:
            if table in present:
                _install_table(cursor, table, chained=table != SEAL_TABLE)
                chained.append(table)
        app_role = app_role_name(conn.alias)
        if app_role and not two_logins():
            cursor.execute(create_role_sql(app_role))
        _grant(cursor, app_role, chained)
        cursor.execute("DROP FUNCTION IF EXISTS audit_chain_count()")  # the per-row digest's, replaced
    if verbosity:
        print(f"  audit chain: {len(chained) - 1} tables append-only and chained")


def seal_now(using_connection=None) -> None:
    """Seal the open transaction's batches now (tests: their transaction never commits)."""
    conn = using_connection or default_connection
    with conn.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS zz_audit_seal IMMEDIATE")
        cursor.execute("SET CONSTRAINTS zz_audit_seal DEFERRED")


# --- Verification --------------------------------------------------------------------------------


@dataclass
class Finding:
    table: str
    kind: str  # changed | removed | added | added_outside | link_removed | link_changed | head | columns
    seal: int | None = None  # the link (seal seq) where it shows
    row: str = ""  # the row's primary key, when one row is named
    count: int = 0
    at: str = ""  # when that link was sealed (ISO, UTC)


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    links: int = 0
    findings: list[Finding] = field(default_factory=list)
    heads: dict[str, list] = field(default_factory=dict)  # table -> [seq, hash]

    @property
    def ok(self) -> bool:
        return not self.findings

    def first_broken(self) -> dict[str, Finding]:
        return first_broken(self.findings)

    def as_json(self) -> dict:
        return {
            "tables": self.tables,
            "rows": self.rows,
            "links": self.links,
            "findings": [asdict(f) for f in self.findings],
            "first": {t: asdict(f) for t, f in self.first_broken().items()},
        }


def first_broken(findings: list[Finding]) -> dict[str, Finding]:
    """The first broken link of each table: the lowest link; rows outside the chain after every link."""
    first: dict[str, Finding] = {}
    for f in findings:
        cur = first.get(f.table)
        if cur is None or (f.seal is None, f.seal or 0) < (cur.seal is None, cur.seal or 0):
            first[f.table] = f
    return first


def first_broken_of(findings: list[dict]) -> dict[str, Finding]:
    """``first_broken`` of findings as stored in ``AuditCheck.findings``."""
    return first_broken([Finding(**f) for f in findings])


def _table_name(table: str) -> str:
    """What a person calls the table: the log's name, or "change history of <record type>"."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        if model._meta.label_lower == "pghistory.context":
            return _("Change history: who made each change")
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is not None:
            return _("Change history of %(records)s") % {"records": tracked._meta.verbose_name_plural}
        return capfirst(str(model._meta.verbose_name_plural))
    return _("Another audit table")


def describe(f: Finding) -> str:
    """The finding as a sentence for the auditor (no table names, column names or hashes)."""
    from django.utils.translation import gettext as _

    values = {"table": _table_name(f.table), "seal": f.seal, "row": f.row, "count": f.count, "at": _local(f.at)}
    if f.kind == "changed" and f.row:
        text = _("%(table)s: entry %(row)s was changed after it was written") % values
    elif f.kind == "changed":
        text = _("%(table)s: entries of one transaction were changed or reordered") % values
    elif f.kind == "removed":
        text = _("%(table)s: %(count)s entries were removed") % values
    elif f.kind == "added":
        text = _("%(table)s: %(count)s entries were slipped into an earlier transaction") % values
    elif f.kind == "added_outside":
        text = _("%(table)s: %(count)s entries were added with the chain switched off (first: entry %(row)s)") % values
    elif f.kind == "link_removed":
        text = _("%(table)s: whole transactions were removed from link %(seal)s on") % values
    elif f.kind == "link_changed":
        text = _("%(table)s: the chain was rewritten at link %(seal)s") % values
    else:
        text = _("%(table)s: a column was dropped, so some entries can no longer be checked") % values
    if f.at:
        text = _("%(finding)s (first broken link: link %(seal)s, sealed %(at)s)") % {**values, "finding": text}
    return text


def _local(iso: str) -> str:
    """A seal's time as the portal shows times (local, to the minute)."""
    import datetime

    from django.utils import timezone

    if not iso:
        return ""
    try:
        return timezone.localtime(datetime.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


def _py_link(prev: str, table: str, seq: int, batch, n: int, digest: str, cols: list[str]) -> str:  # noqa: PLR0917
    text = "|".join([prev or "", table, str(seq), str(batch), str(n), digest or "", ",".join(cols)])
    return hashlib.sha256(text.encode()).hexdigest()


def _verify_table(cursor, model, report: Report, earlier_heads: dict) -> None:  # noqa: PLR0912, PLR0915
    table = model._meta.db_table
    t = _q(table)
    pk = _q(model._meta.pk.column)
    findings = report.findings
    present = set(_columns(cursor, table))
    if not set(CHAIN_COLUMNS) <= present:
        findings.append(Finding(table, "columns"))
        return
    # 1. The links: numbered 1, 2, 3… each hashing the one before.
    cursor.execute(
        f"SELECT seq, batch, row_count, digest, columns, hash, at FROM {SEAL_TABLE} WHERE table_name = %s ORDER BY seq",  # noqa: S608
        [table],
    )
    seals = cursor.fetchall()
    prev, expected_seq = "", 1
    by_batch = {}
    start = len(findings)
    at = {seal[0]: seal[6].isoformat(sep=" ") for seal in seals}
    for seq, batch, n, digest, cols, stored, _at in seals:
        if seq != expected_seq:
            findings.append(Finding(table, "link_removed", seal=expected_seq, count=seq - expected_seq))
        elif _py_link(prev, table, seq, batch, n, digest, cols) != stored:
            findings.append(Finding(table, "link_changed", seal=seq))
        prev, expected_seq = stored, seq + 1
        by_batch[str(batch)] = (seq, n, digest, cols)
    report.links += len(seals)
    cursor.execute(f"SELECT seq, hash FROM {HEAD_TABLE} WHERE table_name = %s", [table])  # noqa: S608
    head = cursor.fetchone()
    last = [seals[-1][0], seals[-1][5]] if seals else [0, ""]
    if (list(head) if head else [0, ""]) != last:
        findings.append(Finding(table, "link_removed", seal=last[0] + 1, count=(head[0] - last[0]) if head else 0))
    old = earlier_heads.get(table)
    if not old or not old[0]:  # no earlier check, or the table had no link then
        pass
    elif old[0] <= last[0]:
        match = next((s for s in seals if s[0] == old[0]), None)
        if match is None or match[5] != old[1]:
            findings.append(Finding(table, "link_changed", seal=old[0]))
    else:
        findings.append(Finding(table, "link_removed", seal=last[0] + 1, count=old[0] - last[0]))
    report.heads[table] = last
    # 2. The batches: the rows each link sealed, counted and digested in their order.
    cursor.execute(
        f"SELECT audit_batch, count(*), audit_digest(audit_hash ORDER BY audit_seq), "  # noqa: S608
        f"(array_agg({pk}::text ORDER BY audit_seq))[1] FROM {t} GROUP BY audit_batch"
    )
    seen = set()
    for batch, n, digest, first_pk in cursor.fetchall():
        report.rows += n
        if batch is None:
            findings.append(Finding(table, "added_outside", row=first_pk or "", count=n))
            continue
        sealed = by_batch.get(str(batch))
        if sealed is None:
            findings.append(Finding(table, "added_outside", row=first_pk or "", count=n))
            continue
        seen.add(str(batch))
        seq, sealed_n, sealed_digest, _cols = sealed
        if n < sealed_n:
            findings.append(Finding(table, "removed", seal=seq, count=sealed_n - n))
        elif n > sealed_n:
            findings.append(Finding(table, "added", seal=seq, count=n - sealed_n))
        elif digest != sealed_digest:
            findings.append(Finding(table, "changed", seal=seq))
    for batch, (seq, n, _digest, _cols) in by_batch.items():
        if batch not in seen and n:
            findings.append(Finding(table, "removed", seal=seq, count=n))
    # 3. The rows: each one's content against its hash (with the columns its link hashed).
    cursor.execute(
        f"SELECT r.{pk}::text, s.seq, s.columns <@ %s FROM {t} r JOIN {SEAL_TABLE} s "  # noqa: S608
        "ON s.table_name = %s AND s.batch = r.audit_batch "
        "WHERE audit_row_hash(to_jsonb(r), s.columns) IS DISTINCT FROM r.audit_hash "
        "ORDER BY s.seq, r.audit_seq LIMIT 50",
        [sorted(present), table],
    )
    for row_pk, seq, columns_present in cursor.fetchall():
        findings.append(Finding(table, "changed" if columns_present else "columns", seal=seq, row=row_pk))
    for f in findings[start:]:
        f.at = at.get(f.seal, "") if f.seal else ""


def verify(using_connection=None) -> Report:
    """Check every chained table; read-only (the caller records the result)."""
    conn = using_connection or default_connection
    report = Report()
    earlier = _earlier_heads()
    outermost = not conn.in_atomic_block
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if outermost:  # one snapshot for every table: a batch committed meanwhile is not "outside the chain"
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for setting in _CANONICAL:
            cursor.execute(f"SET LOCAL {setting}")
        models = chained_models()
        present = _existing(cursor, [m._meta.db_table for m in models])
        for model in models:
            if model._meta.db_table not in present:
                continue
            report.tables += 1
            _verify_table(cursor, model, report, earlier)
    return report


def _earlier_heads() -> dict:
    """The heads the last intact check recorded (a rewritten and re-linked tail shows against them)."""
    AuditCheck = apps.get_model("core", "AuditCheck")
    last = AuditCheck.objects.filter(ok=True).order_by("-at", "-id").first()
    return dict(last.heads) if last else {}
