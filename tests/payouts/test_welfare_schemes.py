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
CHILD_BORN = datetime.date(2010, 5, 5)


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
    Person.objects.filter(pk=person.pk).update(birth_date=CHILD_BORN)  # a child in 2020
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


def household_head(case) -> Person:
    return Person.objects.get(pk=case.household.head_id)


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
    # The living subsidy is for a member of a household with dibao (paid that month).
    living = subsidy(staff, kind="living", grade=3, person=household_head(dibao_case(members=1, created_by=staff)))
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


# --- Every selection checks eligibility again when it pays (the nightly job has not run) -------------------


def test_an_orphan_aged_18_on_the_months_first_day_is_not_paid_one_a_day_younger_is(
    welfare_standards, staff, request_run, compute
):
    eighteen_on_the_first = orphan(staff, category="community")
    eighteen_on_the_second = orphan(staff, category="community")
    Person.objects.filter(pk=eighteen_on_the_first.person_id).update(birth_date=datetime.date(2002, 4, 1))
    Person.objects.filter(pk=eighteen_on_the_second.person_id).update(birth_date=datetime.date(2002, 4, 2))
    run = request_run("orphan", "2020-04")
    assert compute(run) == "computed"
    assert paid(run) == {eighteen_on_the_second.person_id: Decimal("1500.00")}
    # Still open: nothing but the selection kept the first one out.
    eighteen_on_the_first.refresh_from_db()
    assert (eighteen_on_the_first.status, eighteen_on_the_first.end_month) == ("active", None)


def test_a_living_subsidy_is_paid_only_while_the_households_dibao_pays_that_month(
    welfare_standards, staff, request_run, compute
):
    from relief.models import DibaoCase

    ended = dibao_case(members=2, created_by=staff)
    kept = dibao_case(members=1, created_by=staff)
    covered_member = Person.objects.get(
        pk=ended.household.members.exclude(person_id=ended.household.head_id)[0].person_id
    )
    stopped = subsidy(staff, kind="living", grade=3, person=covered_member)
    paying = subsidy(staff, kind="living", grade=3, person=household_head(kept))
    never = subsidy(staff, kind="living", grade=3)  # a household without dibao at all
    # The dibao case ended with March (terminated straight in the table: no service, no nightly job ran).
    DibaoCase.objects.filter(pk=ended.pk).update(status="terminated", end_month=APRIL)
    march, april = request_run("disability_living", "2020-03"), request_run("disability_living", "2020-04")
    assert compute(march) == "computed" and compute(april) == "computed"
    assert paid(march) == {stopped.person_id: Decimal("100.00"), paying.person_id: Decimal("100.00")}
    assert paid(april) == {paying.person_id: Decimal("100.00")}
    assert never.person_id not in paid(march)
    stopped.refresh_from_db()
    assert stopped.status == "active"  # the case itself is untouched: the nightly job stops it


def test_nobody_dead_before_the_month_is_paid_by_any_scheme(welfare_standards, staff, request_run, compute):
    from tests.payouts.conftest import tekun_case

    child = orphan(staff, category="community")
    dibao = dibao_case(members=1, created_by=staff)
    living = subsidy(staff, kind="living", grade=3, person=household_head(dibao))
    nursing = subsidy(staff, kind="nursing", grade=1)
    tekun = tekun_case(created_by=staff)
    dead = [child.person_id, living.person_id, nursing.person_id, tekun.person_id]
    Person.objects.filter(pk__in=dead).update(death_date=datetime.date(2020, 3, 31))
    for scheme in ("orphan", "disability_living", "disability_nursing", "tekun", "dibao"):
        march, april = request_run(scheme, "2020-03"), request_run(scheme, "2020-04")
        assert compute(march) == "computed" and compute(april) == "computed"
        assert len(paid(march)) == 1, scheme  # paid for the month of death
        assert paid(april) == {}, scheme
