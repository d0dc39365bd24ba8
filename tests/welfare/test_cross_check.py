"""The cross-check report, on a data set seeded with each kind of conflict the bureau found by hand in 2020."""

from __future__ import annotations

import pytest

from core.cases import add_months, current_month, local_today
from people.models import Person
from relief import services as relief_services
from relief.models import DibaoCase
from tests.conftest import OTHER_DISTRICT_COMMUNITY
from tests.factories import make_household, paid_since_this_month, review_through_notice
from tests.welfare.conftest import born_years_ago, certificate_for, make_person
from welfare import selectors, services
from welfare.models import OrphanCase

pytestmark = pytest.mark.django_db


def approve(actors, kind_prefix, case):
    getattr(services, f"{kind_prefix}_review")(actor=actors.reviewer, case=case)
    return getattr(services, f"{kind_prefix}_approve")(actor=actors.approver, case=case)


def living(actors, person):
    case = services.disability_subsidy_create(
        actor=actors.caseworker, person=person, kind="living", certificate_number=certificate_for(person)
    )
    return approve(actors, "disability_subsidy", case)


def dibao(actors, household):
    case = relief_services.dibao_case_create(actor=actors.caseworker, household=household, monthly_income="300")
    review_through_notice(case, reviewer=actors.reviewer)
    return paid_since_this_month(relief_services.dibao_case_approve(actor=actors.approver, case=case))


def tekun(actors, person):
    case = relief_services.tekun_case_create(
        actor=actors.caseworker, person=person, care_level="full", placement="home"
    )
    review_through_notice(case, reviewer=actors.reviewer)
    return paid_since_this_month(relief_services.tekun_case_approve(actor=actors.approver, case=case))


@pytest.fixture
def seeded(actors, make_staff):
    """One clean recipient and one of each conflict, made the way they arise: data changed behind the services."""
    data = {}
    clean_household = make_household(community="370202001001", members=2)
    dibao(actors, clean_household)
    data["clean"] = living(actors, clean_household.members.get(relationship="child").person)

    # 1. A deceased recipient whose death reached the database without its consequences (an old import).
    dead_household = make_household(community="370202001001", members=2)
    dibao(actors, dead_household)
    dead = dead_household.members.get(relationship="child").person
    data["dead_case"] = living(actors, dead)
    Person.objects.filter(pk=dead.pk).update(death_date=local_today().replace(day=1))

    # 2. Two orphan cases paying one child this month (a legacy case not ended where the new one starts).
    child = make_person(birth=born_years_ago(9))
    old = services.orphan_case_create(actor=actors.caseworker, person=child, category="community")
    old = approve(actors, "orphan_case", old)
    services.orphan_case_terminate(
        actor=actors.approver, case=old, note="转机构", end_month=add_months(current_month(), 2)
    )
    new = services.orphan_case_create(actor=actors.caseworker, person=child, category="institution")
    new = approve(actors, "orphan_case", new)
    OrphanCase.objects.filter(pk=new.pk).update(start_month=current_month())
    data["duplicates"] = (old, new)

    # 3. A living subsidy whose household's dibao ended without its consequence.
    ended_household = make_household(community="370202001001", members=2)
    ended = dibao(actors, ended_household)
    data["without_dibao"] = living(actors, ended_household.members.get(relationship="child").person)
    DibaoCase.objects.filter(pk=ended.pk).update(status="terminated", end_month=current_month())

    # 4. Tekun and the living subsidy for one person (incompatible by the shipped configuration).
    both_household = make_household(community="370202001001", members=2)
    dibao(actors, both_household)
    both = both_household.members.get(relationship="child").person
    data["incompatible"] = (living(actors, both), tekun(actors, both))

    # Outside the caseworker's geography: the same kind of conflict, not in their report.
    far_household = make_household(community=OTHER_DISTRICT_COMMUNITY, members=2)
    far_actor = make_staff("district_approver", OTHER_DISTRICT_COMMUNITY[:6])
    far_case = relief_services.dibao_case_create(actor=far_actor, household=far_household, monthly_income="0")
    DibaoCase.objects.filter(pk=far_case.pk).update(status="active", start_month=current_month())
    far_person = far_household.members.get(relationship="child").person
    Person.objects.filter(pk=far_person.pk).update(death_date=local_today().replace(day=1))
    data["far_person"] = far_person
    return data


def test_the_report_lists_each_kind_of_conflict_and_nothing_else(actors, seeded):
    report = selectors.cross_check(user=actors.caseworker)
    dead_person = seeded["dead_case"].person
    assert {(f.person.pk, f.benefits) for f in report.deceased} == {
        (dead_person.pk, ("disability_living",)),
        (dead_person.pk, ("dibao",)),  # still counted as a member of the household's dibao
    }
    old, new = seeded["duplicates"]
    assert [(f.person.pk, f.benefits, {c.pk for c in f.cases}) for f in report.duplicates] == [
        (old.person_id, ("orphan",), {old.pk, new.pk})
    ]
    assert [f.person.pk for f in report.living_without_dibao] == [seeded["without_dibao"].person_id]
    living_case, _tekun_case = seeded["incompatible"]
    assert [(f.person.pk, f.benefits) for f in report.incompatible] == [
        (living_case.person_id, ("disability_living", "tekun"))
    ]
    everyone = {f.person.pk for f in report.findings}
    assert seeded["clean"].person_id not in everyone
    assert seeded["far_person"].pk not in everyone  # another district's conflict is not this caseworker's
    assert report.count == 5


def test_the_api_gives_the_same_report(api_for, actors, seeded):
    body = api_for(actors.caseworker).get("/api/v1/welfare-cross-check/").json()
    assert body["count"] == 5
    assert body["month"] == f"{current_month():%Y-%m}"
    assert {f["kind"] for k in ("deceased", "duplicates", "living_without_dibao", "incompatible") for f in body[k]} == {
        "deceased",
        "duplicate",
        "living_without_dibao",
        "incompatible",
    }
    assert ["disability_living", "tekun"] in body["incompatibilities"]


def test_switching_an_incompatibility_off_removes_its_findings(actors, admin_user, seeded):
    services.incompatibility_set(actor=admin_user, benefit_a="tekun", benefit_b="disability_living", active=False)
    assert selectors.cross_check(user=actors.caseworker).incompatible == []


def test_the_nightly_check_clears_the_conflicts_it_can(actors, seeded):
    services.eligibility_nightly_check()
    # The deceased recipient's subsidy ends after the month of death; the living subsidy without dibao
    # stops from next month: next month's report no longer lists either.
    report = selectors.cross_check(user=actors.caseworker, month=add_months(current_month(), 1))
    assert not [f for f in report.deceased if f.benefits != ("dibao",)]
    assert report.living_without_dibao == []


def test_a_leader_sees_the_whole_city(actors, make_staff, seeded):
    leader = make_staff("leader", "370200")
    people = {f.person.pk for f in selectors.cross_check(user=leader).deceased}
    assert seeded["far_person"].pk in people


def test_incompatibility_configuration_is_for_administrators(actors, admin_user):
    from core.errors import Forbidden, InvalidInput

    with pytest.raises(Forbidden):
        services.incompatibility_set(actor=actors.caseworker, benefit_a="orphan", benefit_b="dibao")
    with pytest.raises(InvalidInput):
        services.incompatibility_set(actor=admin_user, benefit_a="orphan", benefit_b="orphan")
    rule = services.incompatibility_set(actor=admin_user, benefit_a="orphan", benefit_b="dibao", source="本地规定")
    assert (rule.benefit_a, rule.benefit_b, rule.active) == ("dibao", "orphan", True)
