"""Welfare's schemes through the same engine: orphans by category, the living subsidy, the nursing subsidy by grade,
and orphans in the price-linked batch when the rule covers them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from payouts.models import PayoutLine
from payouts.selectors import explain
from people.models import Person
from relief.models import PriceSubsidyRule, Standard
from tests.factories import make_household
from tests.payouts.conftest import dibao_case, lone_person, price_index

pytestmark = pytest.mark.django_db

APRIL = datetime.date(2020, 4, 1)


@pytest.fixture
def welfare_standards(payout_standards):
    for scheme, day, amount in [
        ("orphan_institution", "2019-01-01", "1800.00"),
        ("orphan_community", "2019-01-01", "1400.00"),
        ("orphan_community", "2020-04-01", "1500.00"),
        ("disability_living", "2019-01-01", "100.00"),
        ("disability_nursing", "2019-01-01", "200.00"),
        ("disability_nursing_grade1", "2019-01-01", "300.00"),
    ]:
        Standard.objects.create(scheme=scheme, effective_from=day, amount=Decimal(amount))


def orphan(staff, *, category: str, person=None, status="active", start=datetime.date(2019, 6, 1)):
    from welfare.models import OrphanCase

    person = person or make_household(created_by=staff).head
    return OrphanCase.objects.create(
        person=person, category=category, created_by=staff, status=status, start_month=start
    )


def subsidy(staff, *, kind: str, grade: int, person=None, household=None):
    from welfare.models import DisabilityCertificate, DisabilitySubsidyCase

    person = person or make_household(created_by=staff).head
    certificate = DisabilityCertificate.objects.create(
        person=person, number=f"{person.id_number}4{grade}", disability_type=4, grade=grade, created_by=staff
    )
    return DisabilitySubsidyCase.objects.create(
        person=person,
        kind=kind,
        certificate=certificate,
        household=household,
        created_by=staff,
        status="active",
        start_month=datetime.date(2019, 6, 1),
    )


def paid(run) -> dict[int, Decimal]:
    return dict(PayoutLine.objects.filter(run=run).values_list("beneficiary_id", "amount"))


def test_orphans_are_paid_their_categorys_standard_of_the_month(welfare_standards, staff, request_run, compute):
    from welfare.models import OrphanHold

    in_institution = orphan(staff, category="institution", person=lone_person())
    at_home = orphan(staff, category="community")
    on_hold = orphan(staff, category="community")
    OrphanHold.objects.create(case=on_hold, from_month=datetime.date(2020, 3, 1))
    deceased = orphan(staff, category="community")
    Person.objects.filter(pk=deceased.person_id).update(death_date=datetime.date(2020, 2, 10))
    march, april = request_run("orphan", "2020-03"), request_run("orphan", "2020-04")
    assert compute(march) == "computed" and compute(april) == "computed"
    assert paid(march) == {in_institution.person_id: Decimal("1800.00"), at_home.person_id: Decimal("1400.00")}
    assert paid(april) == {in_institution.person_id: Decimal("1800.00"), at_home.person_id: Decimal("1500.00")}
    line = PayoutLine.objects.get(run=april, beneficiary_id=at_home.person_id)
    assert line.snapshot["standard_scheme"] == "orphan_community" and line.snapshot["standard_from"] == "2020-04-01"
    assert "1500.00" in explain(line.snapshot) and "2020-04-01" in explain(line.snapshot)
    assert PayoutLine.objects.get(run=april, beneficiary_id=in_institution.person_id).household_id is None


def test_the_two_disability_subsidies(welfare_standards, staff, request_run, compute):
    living = subsidy(staff, kind="living", grade=3)
    grade1 = subsidy(staff, kind="nursing", grade=1)
    grade2 = subsidy(staff, kind="nursing", grade=2)
    living_run, nursing_run = request_run("disability_living", "2020-04"), request_run("disability_nursing", "2020-04")
    compute(living_run)
    compute(nursing_run)
    assert paid(living_run) == {living.person_id: Decimal("100.00")}
    # Grade 1 has the city's own entry; grade 2 takes the nursing subsidy's.
    assert paid(nursing_run) == {grade1.person_id: Decimal("300.00"), grade2.person_id: Decimal("200.00")}


def test_a_welfare_month_without_its_standard_fails_saying_which(payout_standards, staff, request_run, compute):
    orphan(staff, category="institution", person=lone_person())
    run = request_run("orphan", "2020-04")
    assert compute(run) == "failed"
    run.refresh_from_db()
    assert "2020-04" in run.error and "370202" in run.error


def test_orphans_are_in_the_price_linked_batch_when_the_rule_covers_them(
    welfare_standards, staff, request_run, compute
):
    PriceSubsidyRule.objects.all().delete()
    PriceSubsidyRule.objects.create(
        effective_from="2016-01-01",
        cpi_threshold=Decimal("3.5"),
        food_cpi_threshold=Decimal("6.0"),
        covered_groups=["dibao", "tekun", "orphan"],
    )
    price_index("2020-01", "5.4", "20.6")
    household = dibao_case(members=1, created_by=staff)
    child = orphan(staff, category="institution", person=lone_person("370211019001"))  # a village: rural
    run = request_run("price_subsidy", "2020-01")
    assert compute(run) == "computed"
    assert paid(run) == {household.household.head_id: Decimal("47.52"), child.person_id: Decimal("37.80")}
