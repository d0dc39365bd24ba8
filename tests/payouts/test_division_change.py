"""A dibao case that spans a division change (撤镇设街道): the month before is paid under the town's village,
the month after under the new sub-district's community; the dashboard's past month keeps the old division."""

from __future__ import annotations

import pytest

from core import services as core_services
from core import tasks as core_tasks
from core.cases import add_months, current_month, local_today
from dashboard.models import PaidMonth
from payouts.models import PayoutLine
from payouts.services import run_approve
from tests.payouts.conftest import dibao_case

pytestmark = pytest.mark.django_db

TOWN, VILLAGE, NEW_SUB = "370211013", "370211013001", "370211020"
NEW_VILLAGE = NEW_SUB + "001"


def test_a_case_paid_before_and_after_the_change_is_paid_under_each_months_division(  # noqa: PLR0917
    payout_standards, staff, make_staff, finance, request_run, compute, clock
):
    admin = make_staff("admin", "370200")
    case = dibao_case(community=VILLAGE, area_type="rural", members=2, income="0", created_by=staff)
    before = current_month()
    after = add_months(before, 1)
    change = core_services.division_change_create(
        actor=admin,
        kind="town_to_subdistrict",
        effective_on=after,
        division_code=TOWN,
        new_code=NEW_SUB,
        new_name="王台街道",
    )
    assert change.status == "scheduled"

    first = request_run("dibao", before.isoformat()[:7])
    assert compute(first) == "computed"
    run_approve(actor=finance.checker, run=first)

    clock.advance(days=(after - local_today()).days)  # the first day of the next month
    assert core_tasks.apply_division_changes() == [change.pk]
    second = request_run("dibao", after.isoformat()[:7])
    assert compute(second) == "computed"
    run_approve(actor=finance.checker, run=second)

    lines = {line.period: line for line in PayoutLine.objects.filter(source_id=case.pk, scheme="dibao")}
    assert lines[before].division_id == VILLAGE  # paid then under the town's village: kept
    assert lines[after].division_id == NEW_VILLAGE
    assert lines[before].amount == lines[after].amount
    months = {(m.month, m.division): m.amount for m in PaidMonth.objects.filter(scheme="dibao")}
    assert months[(before, VILLAGE)] == lines[before].amount  # the dashboard's past month: unchanged
    assert months[(after, NEW_VILLAGE)] == lines[after].amount
    assert (before, NEW_VILLAGE) not in months
