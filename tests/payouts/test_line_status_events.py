"""Every status change of a payout line is recorded with its actor, by the database itself (issue 23 §3, 22 §8).

The lines' statement-level trigger writes one ``LineStatusEvent`` per changed line, whatever
statement changed it: the bank-return import (the user, the file, the application's clock), a
raw ``UPDATE`` in a session outside the portal (actor "database"). The events are append-only and
hash-chained; the application's role may not write, change or empty them.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from core import auditchain
from core.audit import audit_context
from core.db.roles import as_owner
from payouts.models import LineActorKind, LineStatusEvent, PayoutLine, PayoutRun
from payouts.services import run_import_returns
from people.models import Household
from tests.payouts.conftest import dibao_case
from tests.payouts.test_api import cases, checker, exported, maker, return_file  # noqa: F401

pytestmark = pytest.mark.django_db


def _fails(sql: str, params=()) -> str:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    return ""


@pytest.fixture
def run_lines(payout_standards, staff, request_run, compute):
    for n in range(3):
        dibao_case(created_by=staff, bank_account=f"622202000000010{n}")
    run = request_run("dibao", "2020-04")
    compute(run)
    lines = list(PayoutLine.objects.filter(run=run).order_by("id"))
    assert len(lines) == 3
    return run, lines


def test_a_raw_sql_status_update_outside_the_portal_is_recorded_with_the_actor_database(run_lines):
    run, lines = run_lines
    with connection.cursor() as cursor:  # psql, a script: not the portal's session, no portal context
        cursor.execute("SET LOCAL application_name = 'psql'")
        cursor.execute(
            "SELECT set_config('pghistory.context_id', '', true), set_config('pghistory.context_metadata', '', true)"
        )
        cursor.execute("UPDATE payouts_payoutline SET status = 'paid' WHERE id = %s", [lines[0].pk])
        cursor.execute("SET LOCAL application_name = 'civil_affairs'")
    event = LineStatusEvent.objects.get(line=lines[0])
    assert (event.from_status, event.to_status, event.run_id) == ("pending", "paid", run.pk)
    assert event.actor_kind == LineActorKind.DATABASE and event.actor_id is None
    assert event.context.metadata["actor"] == "database" and event.context.metadata["db_user"]
    assert event.return_import_id is None


def test_the_status_path_holds_even_with_pgtrigger_ignore(run_lines):
    """The guard is a plain trigger: ``SET pgtrigger.ignore`` (which anyone may set) does not switch it off."""
    _run, lines = run_lines
    ignore = "SET LOCAL pgtrigger.ignore = '{payouts_payoutline:payout_line_guard,payout_line_guard}'; "
    amount = "UPDATE payouts_payoutline SET amount = 1 WHERE id = %s"
    back = "UPDATE payouts_payoutline SET status = 'pending' WHERE id = %s"
    assert "cannot be changed" in _fails(ignore + amount, [lines[0].pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payouts_payoutline SET status = 'paid' WHERE id = %s", [lines[0].pk])
    assert "cannot become" in _fails(ignore + back, [lines[0].pk])
    with pytest.raises(IntegrityError, match="cannot become"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payouts_payoutline SET status = 'failed', failure_reason = 'x' WHERE id = %s", [lines[0].pk]
        )
    assert LineStatusEvent.objects.filter(line=lines[0]).count() == 1  # the refused moves left nothing


def test_a_bulk_update_of_n_lines_records_n_events_in_the_same_statement(run_lines, finance):
    run, lines = run_lines
    with audit_context(finance.maker, action="test.bulk"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payouts_payoutline SET status = 'failed', failure_reason = '账户已销户' WHERE run_id = %s", [run.pk]
        )
        assert cursor.rowcount == 3
    events = list(LineStatusEvent.objects.filter(run=run).order_by("line_id"))
    assert [e.line_id for e in events] == [line.pk for line in lines]
    assert {(e.from_status, e.to_status, e.reason, e.actor_id) for e in events} == {
        ("pending", "failed", "账户已销户", finance.maker.pk)
    }
    assert len({e.context_id for e in events}) == 1  # one context for the statement
    with connection.cursor() as cursor:  # a statement changing no status writes nothing
        cursor.execute("UPDATE payouts_payoutline SET settled_at = settled_at WHERE run_id = %s", [run.pk])
    assert LineStatusEvent.objects.filter(run=run).count() == 3


def test_a_bank_return_records_each_line_with_the_user_the_file_and_the_applications_clock(  # noqa: PLR0917
    cases,  # noqa: F811
    maker,  # noqa: F811
    checker,  # noqa: F811
    compute,
    finance,
    client,
):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines[:2]] + [
        [lines[2][0], lines[2][1], lines[2][5], "失败", "账户已冻结"]
    ]
    # The server's clock moved on (the black-box tests run it under libfaketime); the database's did not.
    later = timezone.now() + datetime.timedelta(days=40)
    with mock.patch.object(timezone, "now", return_value=later):
        record = run_import_returns(
            actor=finance.maker,
            run=PayoutRun.objects.get(pk=run["id"]),
            filename="returns.csv",
            content=return_file(rows).getvalue(),
        )
    assert (record.outcome, record.paid, record.failed) == ("accepted", 2, 1)
    record_id = record.pk
    events = list(LineStatusEvent.objects.filter(run_id=run["id"]).order_by("line_id"))
    assert len(events) == 3
    assert {(e.actor_id, e.actor_kind, e.return_import_id, e.at) for e in events} == {
        (finance.maker.pk, LineActorKind.USER, record_id, later)
    }
    failed = next(e for e in events if e.line_id == int(lines[2][1]))
    assert (failed.from_status, failed.to_status, failed.reason) == ("pending", "failed", "账户已冻结")
    # Where the finance officer looks: the run's lines and the return file's page, in Chinese.
    client.force_login(finance.maker)
    name = str(finance.maker)
    for url in (
        reverse("payouts:run-lines", args=[run["id"]]),
        reverse("payouts:import-detail", args=[record_id]),
    ):
        with translation.override("zh-hans"):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "待支付 → 已支付" in page and "待支付 → 支付失败" in page, url
        assert name in page and "账户已冻结" in page and later.astimezone().strftime("%Y-%m-%d") in page
        assert "pending →" not in page and "→ paid" not in page and "→ failed" not in page


def test_the_event_table_refuses_the_application_role_anything_but_reading(run_lines):
    run, lines = run_lines
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payouts_payoutline SET status = 'paid' WHERE id = %s", [lines[0].pk])
    assert LineStatusEvent.objects.count() == 1
    assert "permission denied" in _fails("UPDATE payouts_linestatusevent SET to_status = 'failed'")
    assert "permission denied" in _fails("DELETE FROM payouts_linestatusevent")
    assert "permission denied" in _fails("TRUNCATE payouts_linestatusevent")
    # Nor forge one: only the lines' trigger writes here.
    assert "permission denied" in _fails(
        "INSERT INTO payouts_linestatusevent (line_id, run_id, from_status, to_status, at, actor_kind, reason) "
        "VALUES (%s, %s, 'pending', 'paid', now(), 'user', '')",
        [lines[1].pk, run.pk],
    )
    with as_owner():  # the owner is refused too (the chain's triggers)
        assert "append-only" in _fails("DELETE FROM payouts_linestatusevent")


def test_audit_verify_catches_a_deleted_status_event(run_lines):
    run, lines = run_lines
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payouts_payoutline SET status = 'paid' WHERE run_id = %s", [run.pk])
    auditchain.seal_now()
    assert "payouts_linestatusevent" in auditchain.chained_tables()
    assert not [f for f in auditchain.verify().findings if f.table == "payouts_linestatusevent"]
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM payouts_linestatusevent WHERE line_id = %s", [lines[1].pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    found = [(f.kind, f.count) for f in auditchain.verify().findings if f.table == "payouts_linestatusevent"]
    assert found == [("removed", 1)]


def test_a_failed_line_shows_the_follow_up_run_that_pays_it_again(  # noqa: PLR0917
    cases,  # noqa: F811
    maker,  # noqa: F811
    checker,  # noqa: F811
    compute,
    finance,
    client,
):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines[:2]] + [
        [lines[2][0], lines[2][1], lines[2][5], "失败", "户名不符"]
    ]
    url = f"/api/v1/payout-runs/{run['id']}/import-returns/"
    assert maker.post(url, {"file": return_file(rows)}, format="multipart").status_code == 200
    failed = PayoutLine.objects.get(pk=int(lines[2][1]))
    Household.objects.filter(pk=failed.household_id).update(bank_account="6222029999999999")
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/follow-up/", {"note": "account corrected"}, format="json")
    assert response.status_code == 202, response.content
    compute(response.json()["id"])
    client.force_login(finance.maker)
    page = client.get(
        reverse("payouts:run-lines", args=[run["id"]]) + "?status=failed", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "待支付 → 支付失败" in page and "户名不符" in page
    follow_up = PayoutRun.objects.get(pk=response.json()["id"])
    assert "已由补发批次重新发放" in page and reverse("payouts:run-detail", args=[follow_up.pk]) in page
