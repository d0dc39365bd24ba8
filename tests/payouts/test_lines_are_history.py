"""A payout line, once written, is history: no statement changes who, how much or which month (raw SQL)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from payouts.models import PayoutLine
from tests.payouts.conftest import dibao_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(payout_standards, staff, request_run, compute):
    dibao_case(created_by=staff)
    run = request_run("dibao", "2020-04")
    compute(run)
    return PayoutLine.objects.filter(run=run).get()


@pytest.mark.parametrize(
    "assignment",
    [
        "amount = amount + 1",
        "beneficiary_id = beneficiary_id + 1",
        "household_id = NULL",
        "period = '2020-05-01'",
        "scheme = 'tekun'",
        "source_id = source_id + 1",
    ],
)
def test_no_statement_changes_what_a_line_pays(line, assignment):
    # The test database's connection is its owner (a superuser): the trigger binds it too.
    with pytest.raises(IntegrityError, match="cannot be changed"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE payouts_payoutline SET {assignment} WHERE id = %s", [line.pk])  # noqa: S608
    fresh = PayoutLine.objects.get(pk=line.pk)
    assert (fresh.amount, fresh.beneficiary_id, fresh.period) == (line.amount, line.beneficiary_id, line.period)


def test_the_status_moves_only_along_its_path(line):
    with connection.cursor() as cur:
        cur.execute("UPDATE payouts_payoutline SET status = 'paid', settled_at = now() WHERE id = %s", [line.pk])
    for back in ("pending", "failed"):
        with pytest.raises(IntegrityError, match="cannot become"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE payouts_payoutline SET status = %s, failure_reason = 'x' WHERE id = %s", [back, line.pk]
            )
    assert PayoutLine.objects.get(pk=line.pk).status == "paid"
    with connection.cursor() as cur:  # the same status again (a returns file read twice) is no change
        cur.execute("UPDATE payouts_payoutline SET status = 'paid' WHERE id = %s", [line.pk])
