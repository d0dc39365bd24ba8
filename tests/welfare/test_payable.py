"""Who is payable in month M and how much (what payout runs read); orphans in relief's price-linked subsidy."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.cases import add_months, current_month, local_today
from people.services import person_record_death
from relief import selectors as relief_selectors
from relief.models import PriceIndex, PriceSubsidyRule
from tests.welfare.conftest import born_years_ago, certificate_for, make_person
from welfare import selectors, services

pytestmark = pytest.mark.django_db


def approve(actors, prefix, case):
    getattr(services, f"{prefix}_review")(actor=actors.reviewer, case=case)
    return getattr(services, f"{prefix}_approve")(actor=actors.approver, case=case)


def test_payable_lines_give_each_scheme_its_amount(actors, dibao_household):
    orphan = approve(
        actors,
        "orphan_case",
        services.orphan_case_create(
            actor=actors.caseworker, person=make_person(birth=born_years_ago(7)), category="institution"
        ),
    )
    member = dibao_household.members.filter(relationship="child").first().person
    living = approve(
        actors,
        "disability_subsidy",
        services.disability_subsidy_create(
            actor=actors.caseworker, person=member, kind="living", certificate_number=certificate_for(member, 4, 1)
        ),
    )
    nursing = approve(
        actors,
        "disability_subsidy",
        services.disability_subsidy_create(
            actor=actors.caseworker, person=member, kind="nursing", certificate_number=certificate_for(member, 4, 1)
        ),
    )
    month = current_month()
    [o] = selectors.payable_lines("orphan", month)
    [lv] = selectors.payable_lines("disability_living", month)
    [nu] = selectors.payable_lines("disability_nursing", month)
    assert (o.case_id, o.amount, o.household_id) == (orphan.pk, Decimal("1700.00"), None)
    assert (lv.case_id, lv.amount, lv.household_id) == (living.pk, Decimal("235.00"), dibao_household.pk)
    assert (nu.case_id, nu.amount, nu.standard_scheme) == (nursing.pk, Decimal("200.00"), "disability_nursing_grade1")
    # Before the cases started: nothing; a standard raised later applies from its month.
    assert list(selectors.payable_lines("orphan", add_months(month, -1))) == []


def test_a_person_is_paid_for_the_month_of_death_and_not_after(actors):
    person = make_person()
    nursing = approve(
        actors,
        "disability_subsidy",
        services.disability_subsidy_create(
            actor=actors.caseworker, person=person, kind="nursing", certificate_number=certificate_for(person, 4, 2)
        ),
    )
    person_record_death(actor=actors.caseworker, person=person, death_date=local_today())
    assert [line.case_id for line in selectors.payable_lines("disability_nursing", current_month())] == [nursing.pk]
    assert list(selectors.payable_lines("disability_nursing", add_months(current_month(), 1))) == []


def test_months_suspended_stay_unpaid_after_resumption(actors):
    from welfare.models import OrphanHold

    orphan = approve(
        actors,
        "orphan_case",
        services.orphan_case_create(
            actor=actors.caseworker, person=make_person(birth=born_years_ago(7)), category="community", guardian="甲"
        ),
    )
    month = current_month()
    OrphanHold.objects.create(case=orphan, from_month=month, until_month=add_months(month, 2))
    assert not selectors.is_payable(orphan, month)
    assert not selectors.is_payable(orphan, add_months(month, 1))
    assert selectors.is_payable(orphan, add_months(month, 2))


def test_orphans_are_covered_by_the_price_subsidy_when_the_rule_says_so(actors, admin_user):
    approve(
        actors,
        "orphan_case",
        services.orphan_case_create(
            actor=actors.caseworker, person=make_person(birth=born_years_ago(7)), category="institution"
        ),
    )
    month = current_month()
    PriceSubsidyRule.objects.update(covered_groups=["dibao", "tekun", "orphan"])
    PriceIndex.objects.create(month=month, cpi_yoy=Decimal("5.0"), food_cpi_yoy=Decimal("1.0"), created_by=admin_user)
    lines = list(relief_selectors.price_subsidy_lines(month))
    assert [(line.group, line.area_type, line.amount) for line in lines] == [("orphan", "urban", Decimal("47.00"))]
    PriceSubsidyRule.objects.update(covered_groups=["dibao", "tekun"])
    assert list(relief_selectors.price_subsidy_lines(month)) == []


def test_no_standard_in_force_is_a_409_naming_the_scheme(actors):
    from core.errors import Conflict

    person = make_person(birth=born_years_ago(7))
    case = services.orphan_case_create(actor=actors.caseworker, person=person, category="community", guardian="甲")
    with pytest.raises(Conflict) as missing:
        selectors.amount_for(case, datetime.date(2015, 1, 1))
    assert missing.value.code == "no_standard"
