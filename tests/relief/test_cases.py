"""The shared case machinery: the transition map, the compare-and-set move, the append-only timeline."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction

from core.cases import (
    BENEFIT_CASE_MACHINE,
    NOTICED_CASE_MACHINE,
    CaseEvent,
    accepted_before_for_overdue,
    add_months,
    add_working_days,
    parse_month,
    transition,
)
from core.errors import Conflict, InvalidInput
from relief.models import DibaoCase
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_the_benefit_machine_allows_only_its_moves():
    assert BENEFIT_CASE_MACHINE.allowed_actions("submitted") == ["investigate", "review", "reject", "withdraw"]
    assert BENEFIT_CASE_MACHINE.allowed_actions("terminated") == []
    with pytest.raises(Conflict) as excinfo:
        BENEFIT_CASE_MACHINE.target("approve", "submitted")
    assert excinfo.value.code == "invalid_transition"


def test_dibao_and_tekun_follow_the_procedure_with_its_public_notice():
    assert NOTICED_CASE_MACHINE.allowed_actions("submitted") == ["investigate", "review", "reject", "withdraw"]
    assert NOTICED_CASE_MACHINE.allowed_actions("public_notice") == ["object", "approve", "reject", "withdraw"]
    assert NOTICED_CASE_MACHINE.target("object", "public_notice") == "submitted"
    with pytest.raises(Conflict):
        NOTICED_CASE_MACHINE.target("approve", "submitted")
    assert DibaoCase.state_machine is NOTICED_CASE_MACHINE


def test_the_decision_clock_counts_thirty_working_days():
    monday = datetime.date(2026, 11, 2)
    assert add_working_days(monday, 5) == datetime.date(2026, 11, 9)
    assert add_working_days(monday, 30) == datetime.date(2026, 12, 14)
    friday = datetime.date(2026, 11, 6)
    assert add_working_days(friday, 1) == datetime.date(2026, 11, 9)
    assert add_working_days(datetime.date(2026, 11, 7), 5) == datetime.date(2026, 11, 13)  # from a Saturday
    # The first acceptance day not yet overdue: one day earlier is past the clock.
    today = datetime.date(2026, 12, 15)
    first = accepted_before_for_overdue(today)
    assert add_working_days(first, 30) >= today
    assert add_working_days(first - datetime.timedelta(days=1), 30) < today


def make_case(caseworker):
    household = make_household(community=OWN_COMMUNITY)
    return DibaoCase.objects.create(household=household, monthly_income=0, members_count=1, created_by=caseworker)


def test_a_stale_copy_cannot_move_the_case_again(caseworker):
    case = make_case(caseworker)
    stale = DibaoCase.objects.get(pk=case.pk)
    transition(case, "review", actor=caseworker, note="first")
    with pytest.raises(Conflict):
        transition(stale, "reject", actor=caseworker, note="second")
    assert DibaoCase.objects.get(pk=case.pk).status == "public_notice"
    assert list(CaseEvent.objects.values_list("note", flat=True)) == ["first"]


def test_a_note_too_long_is_a_field_error(caseworker):
    case = make_case(caseworker)
    with pytest.raises(InvalidInput) as excinfo:
        transition(case, "review", actor=caseworker, note="x" * 1001)
    assert excinfo.value.field == "note"
    assert DibaoCase.objects.get(pk=case.pk).status == "submitted"


def test_the_timeline_is_append_only(caseworker):
    case = make_case(caseworker)
    event = transition(case, "review", actor=caseworker, note="ok")
    # Refused by the database: the application's role holds no UPDATE or DELETE on the timeline
    # (tests/core/test_audit_chain.py shows the owner's triggers refuse them too).
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == "ok"


def test_months():
    assert f"{parse_month('2020-04'):%Y-%m-%d}" == "2020-04-01"
    assert f"{add_months(parse_month('2020-11'), 3):%Y-%m}" == "2021-02"
    for bad in ("2020-4", "2020-00", "April", ""):
        with pytest.raises(InvalidInput):
            parse_month(bad)
