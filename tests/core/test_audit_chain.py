"""An audit trail that cannot be forged or wiped (issue 22 §8).

The application's database role may not change or empty the audit tables, nor switch their
triggers off; and what the owner does with the triggers off shows in ``audit_verify``.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import translation

from core import auditchain
from core.db.roles import as_owner
from core.history import rows_for
from core.models import AuditCheck, RevealLog, SecurityEvent, SecurityEventKind
from core.services import audit_trail_check, security_event_record
from people.services import person_update
from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LOGS = ["pghistory_context", "core_securityevent", "core_reveallog", "core_caseevent", "payouts_runevent"]


def _fails(sql: str, params=()) -> str:
    """The database's refusal of ``sql`` (in a savepoint), or "" when it was accepted."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    return ""


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _some_logs(caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person_update(actor=caseworker, person=person, name="改名")
    event = security_event_record(kind="login_failed", username="someone", ip_address="10.0.0.1")
    reveal = RevealLog.objects.create(actor=caseworker, model="people.Person", object_id="1", field="id_number")
    auditchain.seal_now()  # as a commit would: the test's transaction never commits
    with connection.cursor() as cursor:  # and the foreign keys checked, so the owner may ALTER and TRUNCATE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return person, event, reveal


def _kinds(report, table):
    return [f.kind for f in report.findings if f.table == table]


# --- The application role -----------------------------------------------------------------------


def test_the_portal_serves_as_a_role_that_is_neither_superuser_nor_the_owner():
    user, superuser = _one("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    owner = _one("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'core_securityevent'")[0]
    assert user == settings.DATABASE_APP_ROLE
    assert superuser is False
    assert owner != user
    with as_owner():  # migrations and the owner's commands
        assert _one("SELECT current_user")[0] == owner
    assert _one("SELECT current_user")[0] == user


@pytest.mark.parametrize("table", LOGS)
def test_the_application_role_cannot_update_delete_or_truncate_the_audit_tables(table, caseworker):
    _some_logs(caseworker)
    column = "metadata = '{}'" if table == "pghistory_context" else "id = id"
    assert "permission denied" in _fails(f"UPDATE {table} SET {column}")  # noqa: S608
    assert "permission denied" in _fails(f"DELETE FROM {table}")  # noqa: S608
    assert "permission denied" in _fails(f"TRUNCATE {table} CASCADE")
    # pgtrigger's own escape hatch does not help either: the privilege is missing, not just a trigger.
    names = _one("SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = %s::regclass", [table])[0]
    assert "permission denied" in _fails(f"SET LOCAL pgtrigger.ignore = '{{{names}}}'; DELETE FROM {table}")  # noqa: S608
    # The inserts the portal needs still work.
    security_event_record(kind="login", username="a")


def test_the_application_role_cannot_switch_triggers_off_or_change_the_schema():
    assert "must be owner" in _fails("ALTER TABLE core_securityevent DISABLE TRIGGER ALL")
    assert "must be owner" in _fails("ALTER TABLE core_securityevent DISABLE TRIGGER zz_audit_refuse")
    assert "permission denied" in _fails("SET session_replication_role = replica")
    assert "permission denied" in _fails("CREATE TABLE public.evil (id int)")
    assert "must be owner" in _fails("DROP TRIGGER zz_audit_refuse ON core_securityevent")
    assert "permission denied" in _fails("INSERT INTO core_auditseal (table_name) VALUES ('x')")
    assert "permission denied" in _fails("UPDATE core_auditchainhead SET seq = 0")
    assert "permission denied" in _fails("DELETE FROM django_migrations")


@pytest.mark.parametrize("table", LOGS)
def test_even_the_owner_is_refused_update_delete_and_truncate(table, caseworker):
    _some_logs(caseworker)
    column = "metadata = '{}'" if table == "pghistory_context" else "id = id"
    with as_owner():
        if _one(f"SELECT EXISTS (SELECT FROM {table})")[0]:  # noqa: S608 — row triggers need a row
            # pgtrigger's escape hatch switches its own Protect triggers off, not these.
            names = _one("SELECT string_agg(tgname, ',') FROM pg_trigger WHERE tgrelid = %s::regclass", [table])[0]
            ignoring = f"SET LOCAL pgtrigger.ignore = '{{{names}}}'; "
            assert "append-only" in _fails(f"{ignoring}UPDATE {table} SET {column}")  # noqa: S608
            assert "append-only" in _fails(f"{ignoring}DELETE FROM {table}")  # noqa: S608
        assert "append-only" in _fails(f"TRUNCATE {table} CASCADE")


def test_every_event_and_log_table_is_chained_with_triggers_that_fire_even_in_replica_mode():
    tables = auditchain.chained_tables()
    assert set(LOGS) <= set(tables)
    assert {"people_personevent", "core_userevent", "core_auditcheck", "payouts_bankexport"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'zz_audit_%%' AND c.relname = ANY(%s)",
            [tables],
        )
        found = {(table, name): enabled for table, name, enabled in cursor.fetchall()}
    for table in tables:
        for name in ("zz_audit_row", "zz_audit_count", "zz_audit_seal"):
            assert found.get((table, name)) == "A", (table, name)  # ENABLE ALWAYS
        for name in ("zz_audit_refuse", "zz_audit_no_truncate"):
            assert found.get((table, name)) == "O", (table, name)


# --- Tamper evidence ------------------------------------------------------------------------------


def test_an_untouched_trail_verifies(caseworker):
    _some_logs(caseworker)
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]
    assert report.tables >= 40 and report.rows > 0 and report.links > 0


def test_audit_verify_catches_a_deletion_by_the_owner_with_triggers_disabled(caseworker):
    _person, event, _reveal = _some_logs(caseworker)
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM core_securityevent WHERE id = %s", [event.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert not SecurityEvent.objects.filter(pk=event.pk).exists()  # the owner could delete it…
    report = auditchain.verify()
    assert _kinds(report, "core_securityevent") == ["removed"]  # …but not without a trace
    first = report.first_broken()["core_securityevent"]
    assert first.count == 1 and first.seal and first.at
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="audit trail broken"):
        call_command("audit_verify", stdout=out)
    assert "Security log: 1 entries were removed (first broken link: link " in out.getvalue()
    check = AuditCheck.objects.first()
    assert check.ok is False and check.findings[0]["table"] == "core_securityevent"
    logged = SecurityEvent.objects.filter(kind=SecurityEventKind.AUDIT_BROKEN).get()
    assert "removed" in logged.detail


def test_audit_verify_catches_an_edited_row(caseworker):
    _person, _event, reveal = _some_logs(caseworker)
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_reveallog SET reason = '核对' WHERE id = %s", [reveal.pk])
    report = auditchain.verify()
    found = [f for f in report.findings if f.table == "core_reveallog"]
    assert [(f.kind, f.row) for f in found] == [("changed", str(reveal.pk))]


def test_audit_verify_catches_an_edit_whose_row_hash_was_recomputed(caseworker):
    _person, _event, reveal = _some_logs(caseworker)
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_reveallog SET reason = '核对' WHERE id = %s", [reveal.pk])
        cursor.execute(
            "UPDATE core_reveallog r SET audit_hash = audit_row_hash(to_jsonb(r), s.columns) "
            "FROM core_auditseal s WHERE s.batch = r.audit_batch AND r.id = %s",
            [reveal.pk],
        )
    assert _kinds(auditchain.verify(), "core_reveallog") == ["changed"]  # the batch's digest no longer matches


def test_audit_verify_catches_rows_inserted_out_of_order(caseworker):
    _person, event, _reveal = _some_logs(caseworker)
    with as_owner(), connection.cursor() as cursor:
        # With every trigger off, a login "from last year" slipped in: no place in the chain.
        cursor.execute("ALTER TABLE core_securityevent DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO core_securityevent (at, kind, username, path, detail) "
            "VALUES ('2025-01-01 08:00+08', 'login', 'ghost', '', '')"
        )
        # And one given the place and hash of an earlier transaction's batch.
        cursor.execute(
            "INSERT INTO core_securityevent (at, kind, username, path, detail, audit_seq, audit_batch, audit_hash) "
            "SELECT at, kind, 'ghost2', path, detail, audit_seq - 1, audit_batch, audit_hash "
            "FROM core_securityevent WHERE id = %s",
            [event.pk],
        )
    report = auditchain.verify()
    # The second shows twice: one row too many in that batch, and a row whose content is not its hash.
    assert sorted(_kinds(report, "core_securityevent")) == ["added", "added_outside", "changed"]
    assert report.first_broken()["core_securityevent"].kind == "added"  # the sealed link comes first


def test_audit_verify_catches_a_removed_link(caseworker):
    _some_logs(caseworker)
    security_event_record(kind="login", username="b")
    auditchain.seal_now()
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM core_securityevent WHERE audit_batch = (SELECT batch FROM core_auditseal "
            "WHERE table_name = 'core_securityevent' ORDER BY seq DESC LIMIT 1 OFFSET 1)"
        )
        cursor.execute(
            "DELETE FROM core_auditseal WHERE table_name = 'core_securityevent' AND seq = (SELECT seq "
            "FROM core_auditseal WHERE table_name = 'core_securityevent' ORDER BY seq DESC LIMIT 1 OFFSET 1)"
        )
    assert "link_removed" in _kinds(auditchain.verify(), "core_securityevent")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transactions_link_one_after_the_other(divisions):
    """Both insert before either commits: no lock is held while inserting, and the seals still line up."""
    inserted = threading.Barrier(2)

    def write(name: str) -> None:
        try:
            with transaction.atomic():
                security_event_record(kind="login", username=name)
                inserted.wait(timeout=20)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"user{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM core_auditseal WHERE table_name = 'core_securityevent' ORDER BY seq")
        seqs = [r[0] for r in cursor.fetchall()]
    assert seqs[-2:] == [seqs[-1] - 1, seqs[-1]]
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]


# --- Who changed it: "the database" ------------------------------------------------------------------


def test_a_direct_update_in_the_database_is_recorded_with_the_actor_database(caseworker, client):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    with connection.cursor() as cursor:  # a session that is not the portal's (psql, a script…)
        cursor.execute("SET LOCAL application_name = 'psql'")
        cursor.execute("UPDATE people_person SET name = '偷改' WHERE id = %s", [person.pk])
        cursor.execute("SET LOCAL application_name = 'civil_affairs'")
    event = person.events.order_by("-pgh_id").first()
    assert event.pgh_context is not None
    assert event.pgh_context.metadata["actor"] == "database"
    assert event.pgh_context.metadata["db_user"]
    with translation.override("zh-hans"):
        assert rows_for(person)[0].actor == "数据库直接修改"
    client.force_login(caseworker)
    page = client.get(reverse("people:person-detail", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "数据库直接修改" in page.content.decode()


def test_the_portal_without_an_actor_is_still_the_system(caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person.name = "系统改"
    person.save()
    with translation.override("zh-hans"):
        assert rows_for(person)[0].actor == "系统"


def test_a_context_gaining_metadata_makes_a_new_context_row_instead_of_updating_one(caseworker):
    import pghistory

    person = PersonFactory(division_id=OWN_COMMUNITY)
    with pghistory.context(user=caseworker.pk):
        person.name = "甲"
        person.save()
        with pghistory.context(url="/people/1/edit/"):
            person.name = "乙"
            person.save()
    first, second = person.events.filter(pgh_label="update").order_by("pgh_id")
    assert first.pgh_context.metadata == {"user": caseworker.pk}
    assert second.pgh_context.metadata == {"user": caseworker.pk, "url": "/people/1/edit/"}


# --- The nightly check and the auditor's page ----------------------------------------------------------


def test_the_check_runs_nightly_in_celery_beat():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.audit_verify"]
    assert len(entries) == 1
    from core.tasks import audit_verify

    assert audit_verify.name == "core.audit_verify"


def test_the_auditor_reads_the_result_in_words_and_others_may_not(make_staff, client, caseworker):
    _person, event, _reveal = _some_logs(caseworker)
    assert audit_trail_check().ok
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM core_securityevent WHERE id = %s", [event.pk])
    assert not audit_trail_check().ok
    client.force_login(make_staff("auditor", "370200"))
    page = client.get(reverse("audit-integrity"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "完整" in page and "篡改" in page
    assert "安全日志" in page and "core_securityevent" not in page
    client.force_login(caseworker)
    assert client.get(reverse("audit-integrity")).status_code == 403


def test_no_application_role_write_of_its_own_can_break_the_chain(caseworker):
    """What the application role can do to the chain's bookkeeping (its session settings) only shows."""
    security_event_record(kind="login", username="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, '', true)", [auditchain.state_key("core_securityevent")])
    auditchain.seal_now()
    assert "added_outside" in _kinds(auditchain.verify(), "core_securityevent")
    assert "permission denied" in _fails(
        "SELECT audit_seal_batch('core_securityevent', gen_random_uuid(), 1, '', '{}')"
    )


def test_consecutive_checks_of_an_intact_trail_stay_intact(caseworker):
    _some_logs(caseworker)
    assert audit_trail_check().ok
    security_event_record(kind="login", username="later")
    auditchain.seal_now()
    assert audit_trail_check().ok


def test_a_tail_cut_off_cleanly_by_the_owner_shows_against_the_last_check(caseworker):
    """Rows, their links and the head all rewound: the chain itself is consistent, the last check's head is not."""
    _some_logs(caseworker)
    check = audit_trail_check()
    assert check.ok
    seq = check.heads["core_securityevent"][0]
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM core_securityevent WHERE audit_batch IN (SELECT batch FROM core_auditseal "
            "WHERE table_name = 'core_securityevent' AND seq >= %s)",
            [seq],
        )
        cursor.execute("DELETE FROM core_auditseal WHERE table_name = 'core_securityevent' AND seq >= %s", [seq])
        cursor.execute("DELETE FROM core_auditchainhead WHERE table_name = 'core_securityevent'")
        cursor.execute(
            "INSERT INTO core_auditchainhead (table_name, seq, hash) SELECT table_name, seq, hash "
            "FROM core_auditseal WHERE table_name = 'core_securityevent' AND seq = %s",
            [seq - 1],
        )
    assert _kinds(auditchain.verify(), "core_securityevent") == ["link_removed"]


# --- pgtrigger's escape hatch (issue 22 §8) -------------------------------------------------------------


def _ignoring(table: str) -> str:
    """``SET LOCAL pgtrigger.ignore`` naming every trigger of ``table``, in both of pgtrigger's forms."""
    names = [
        r[0] for r in _rows("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
    ]
    listed = ",".join([*names, *(f"{table}:{n}" for n in names)])
    return f"SELECT set_config('pgtrigger.ignore', '{{{listed}}}', true)"


def _rows(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_application_role_cannot_skip_the_history_triggers_with_pgtrigger_ignore(caseworker):
    """Before: ``SET pgtrigger.ignore`` switched people's history trigger off and the change left no event."""
    person = PersonFactory(division_id=OWN_COMMUNITY)
    before = person.events.count()
    with connection.cursor() as cursor:
        cursor.execute(_ignoring("people_person"))
        cursor.execute("UPDATE people_person SET name = '无痕改名' WHERE id = %s", [person.pk])
        cursor.execute("SELECT set_config('pgtrigger.ignore', NULL, true)")
    assert person.events.count() == before + 1
    assert person.events.order_by("-pgh_id").first().name == "无痕改名"


def test_pgtriggers_python_ignore_does_not_help_the_application_role_either(caseworker):
    import pgtrigger

    person = PersonFactory(division_id=OWN_COMMUNITY)
    before = person.events.count()
    with pgtrigger.ignore("people.Person:update_update"):
        person.name = "又改名"
        person.save()
    assert person.events.count() == before + 1


def test_the_owner_may_still_use_pgtrigger_ignore(caseworker):
    """Migrations and the owner's own commands keep pgtrigger's switch (the owner can drop triggers anyway)."""
    person = PersonFactory(division_id=OWN_COMMUNITY)
    before = person.events.count()
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(_ignoring("people_person"))
        cursor.execute("UPDATE people_person SET name = '属主改名' WHERE id = %s", [person.pk])
        cursor.execute("SELECT set_config('pgtrigger.ignore', NULL, true)")
    assert person.events.count() == before


def test_the_application_role_cannot_put_pgtriggers_permissive_function_back():
    """Neither replaced nor shadowed: no CREATE on the schema (and pgtrigger calls it schema-qualified)."""
    assert "permission denied" in _fails(
        "CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name name) RETURNS boolean "
        "LANGUAGE sql AS 'SELECT true'"
    )
    assert "permission denied" in _fails(
        "CREATE FUNCTION public._pgtrigger_should_ignore2(trigger_name name) RETURNS boolean "
        "LANGUAGE sql AS 'SELECT true'"
    )


# --- Bulk writes: the digest once a statement, the seal once a batch ------------------------------------

BULK = (
    "INSERT INTO core_securityevent (at, kind, username, path, detail) "
    "SELECT now(), 'login', %s || g, '/login/', '' FROM generate_series(1, %s) g"
)


def _seals(table: str = "core_securityevent") -> list[tuple]:
    return _rows("SELECT seq, batch, row_count, digest FROM core_auditseal WHERE table_name = %s ORDER BY seq", [table])


def _batch_of(username_prefix: str) -> list[tuple]:
    return _rows("SELECT DISTINCT audit_batch FROM core_securityevent WHERE username LIKE %s", [username_prefix + "%"])


def test_every_row_of_one_bulk_statement_is_hashed_placed_and_sealed_in_one_link(divisions):
    before = len(_seals())
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["bulk", 500])
    auditchain.seal_now()
    seals = _seals()
    assert len(seals) == before + 1  # one link for the statement's 500 rows, not 500
    assert seals[-1][2] == 500
    assert _batch_of("bulk") == [(seals[-1][1],)]
    places = _rows("SELECT audit_seq, audit_hash FROM core_securityevent WHERE username LIKE 'bulk%%'")
    assert len({seq for seq, _h in places}) == 500 and all(len(h) == 64 for _s, h in places)
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]


def test_one_row_changed_in_a_bulk_insert_is_named(divisions):
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["bulk", 300])
    auditchain.seal_now()
    target = _one("SELECT id FROM core_securityevent WHERE username = 'bulk137'")[0]
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_securityevent SET detail = '改过' WHERE id = %s", [target])
    found = [f for f in auditchain.verify().findings if f.table == "core_securityevent"]
    assert [(f.kind, f.row) for f in found] == [("changed", str(target))]


def test_two_rows_of_a_bulk_insert_swapped_in_place_show_in_the_digest(divisions):
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["bulk", 50])
    auditchain.seal_now()
    with as_owner(), connection.cursor() as cursor:  # each row keeps a matching hash; their order changes
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE core_securityevent a SET audit_seq = b.audit_seq FROM core_securityevent b "
            "WHERE (a.username, b.username) IN (('bulk3', 'bulk40'), ('bulk40', 'bulk3'))"
        )
    assert _kinds(auditchain.verify(), "core_securityevent") == ["changed"]


def test_two_statements_and_a_single_row_in_one_transaction_make_one_link(divisions):
    before = len(_seals())
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["first", 120])
        cursor.execute(BULK, ["none", 0])  # a statement that inserts nothing
        security_event_record(kind="login", username="between")
        cursor.execute(BULK, ["second", 80])
    auditchain.seal_now()
    seals = _seals()
    assert len(seals) == before + 1
    assert seals[-1][2] == 201
    assert _batch_of("first") == _batch_of("second") == [(seals[-1][1],)]
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]


def test_a_statement_rolled_back_to_its_savepoint_leaves_the_batch_as_if_never_run(divisions):
    before = len(_seals())
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["kept", 40])
        try:
            with transaction.atomic():
                cursor.execute(BULK, ["undone", 60])
                raise RuntimeError
        except RuntimeError:
            pass
        cursor.execute(BULK, ["after", 10])
    auditchain.seal_now()
    seals = _seals()
    assert len(seals) == before + 1 and seals[-1][2] == 50
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]


def test_a_batch_opened_and_rolled_back_in_a_savepoint_is_neither_sealed_nor_in_the_way(divisions):
    before = len(_seals())
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BULK, ["undone", 60])
            raise RuntimeError
    except RuntimeError:
        pass
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["kept", 25])
    auditchain.seal_now()
    seals = _seals()
    assert len(seals) == before + 1 and seals[-1][2] == 25
    assert auditchain.verify().ok


def test_an_insert_in_the_same_transaction_after_a_seal_opens_the_next_link(divisions):
    before = len(_seals())
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["one", 30])
        auditchain.seal_now()
        cursor.execute(BULK, ["two", 20])
    auditchain.seal_now()
    seals = _seals()
    assert [s[2] for s in seals[before:]] == [30, 20]
    assert auditchain.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bulk_transactions_link_one_after_the_other(divisions):
    """Both insert their rows (interleaved statements) before either commits; each is one link."""
    inserted = threading.Barrier(2)
    before = len(_seals())

    def write(name: str) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(BULK, [name + "a", 200])
                inserted.wait(timeout=20)
                cursor.execute(BULK, [name + "b", 100])
                inserted.wait(timeout=20)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"c{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    seals = _seals()
    assert [s[2] for s in seals[before:]] == [300, 300]
    assert seals[-1][0] == seals[-2][0] + 1
    for name in ("c0", "c1"):
        assert len(_batch_of(name)) == 1
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]


def test_a_session_outside_the_portal_settings_still_hashes_canonically(divisions):
    """Another TimeZone and float output: the bulk rows still verify (hashed as the canonical settings read)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'Asia/Shanghai'")
        cursor.execute("SET LOCAL extra_float_digits = 0")
        cursor.execute(BULK, ["tz", 20])
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        cursor.execute("SET LOCAL extra_float_digits = 1")
    auditchain.seal_now()
    assert auditchain.verify().ok


def test_install_replaces_the_per_row_shape_of_an_earlier_version(divisions):
    """The upgrade path (``install()`` after ``migrate``): a table still with a per-row seal event is fixed."""
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER zz_audit_seal ON core_securityevent")
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER zz_audit_seal AFTER INSERT ON core_securityevent "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_seal()"
        )
        auditchain.install(connection)
        found = dict(
            _rows(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'core_securityevent'::regclass "
                "AND tgname LIKE 'zz_audit_%%'"
            )
        )
    assert "WHEN" in found["zz_audit_seal"] and "civil_affairs.chain_core_securityevent" in found["zz_audit_seal"]
    assert "FOR EACH STATEMENT" in found["zz_audit_count"]
    with connection.cursor() as cursor:
        cursor.execute(BULK, ["upgraded", 10])
    auditchain.seal_now()
    assert auditchain.verify().ok


def test_with_the_constraints_immediate_each_statement_is_sealed_at_its_end(divisions):
    """The seal's event then fires before the statement's digest: the digest's trigger seals instead."""
    before = len(_seals())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(BULK, ["now1", 15])
        assert [s[2] for s in _seals()[before:]] == [15]
        cursor.execute(BULK, ["now2", 5])
        security_event_record(kind="login", username="now3")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert [s[2] for s in _seals()[before:]] == [15, 5, 1]
    report = auditchain.verify()
    assert report.ok, [auditchain.describe(f) for f in report.findings]
