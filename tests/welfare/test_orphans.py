"""Orphans' allowance: registration, the age rule, the life cycle, amounts by category and month."""

from __future__ import annotations

import pytest

from core.cases import CaseEvent, add_months, current_month
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY
from tests.welfare.conftest import born_years_ago, make_person, pass_case
from welfare.models import OrphanCase

pytestmark = pytest.mark.django_db


def register(client, person, category="community", **extra):
    return client.post("/api/v1/orphans/", {"person": person.pk, "category": category, **extra}, format="json")


def test_an_orphan_is_registered_with_a_guardian_and_approved_from_this_month(api_for, actors):
    child = make_person(birth=born_years_ago(10))
    response = register(api_for(actors.caseworker), child, guardian="王秀英", guardian_relationship="祖母")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["person"], body["category"], body["guardian"]) == (
        "submitted",
        child.pk,
        "community",
        "王秀英",
    )
    assert body["monthly_allowance"] == "1250.00"  # the community standard in force now
    assert body["allowed_actions"] == ["review", "reject", "withdraw", "amend"]  # no automatic move offered
    approved = pass_case(api_for, actors, "orphans", body["id"])
    assert approved["status"] == "active"
    assert approved["start_month"] == f"{current_month():%Y-%m}"
    assert approved["paid_this_month"] is True
    assert [e["action"] for e in approved["events"]] == ["submit", "review", "approve"]


def test_the_guardian_may_be_a_registered_person(api_for, actors):
    child = make_person(birth=born_years_ago(6))
    grandmother = make_person(birth=born_years_ago(66))
    response = register(api_for(actors.caseworker), child, guardian=grandmother.pk)
    assert response.status_code == 201, response.content
    assert (response.json()["guardian"], response.json()["guardian_person"]) == (grandmother.name, grandmother.pk)


def test_an_institution_child_needs_no_guardian(api, actors):
    child = make_person(birth=born_years_ago(3))
    response = register(api, child, "institution", institution="青岛市儿童福利院")
    assert response.status_code == 201
    assert (response.json()["category"], response.json()["monthly_allowance"]) == ("institution", "1700.00")


@pytest.mark.parametrize(
    "month,category,amount",
    [("2019-06", "institution", "1600.00"), ("2020-02", "institution", "1700.00"), ("2019-12", "community", "1200.00")],
)
def test_the_amount_follows_the_category_standard_of_the_month_asked(api, actors, month, category, amount):
    child = make_person(birth=born_years_ago(8))
    case_id = register(api, child, category).json()["id"]
    body = api.get(f"/api/v1/orphans/{case_id}/allowance/?month={month}").json()
    assert (body["month"], body["monthly_allowance"], body["payable"]) == (month, amount, False)


def test_a_child_of_17_is_accepted_and_one_of_18_is_refused(api):
    seventeen = make_person(birth=born_years_ago(18, days=1))  # turns 18 tomorrow
    assert register(api, seventeen).status_code == 201
    eighteen = make_person(birth=born_years_ago(18))  # turns 18 today
    response = register(api, eighteen)
    assert response.status_code == 409
    assert response.json()["code"] == "over_age"
    assert not OrphanCase.objects.filter(person=eighteen).exists()


def test_approval_checks_the_age_again(api_for, actors):
    child = make_person(birth=born_years_ago(18, days=1))
    case_id = register(api_for(actors.caseworker), child).json()["id"]
    api_for(actors.reviewer).post(f"/api/v1/orphans/{case_id}/review/", {}, format="json")
    type(child).objects.filter(pk=child.pk).update(birth_date=born_years_ago(18))
    response = api_for(actors.approver).post(f"/api/v1/orphans/{case_id}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "over_age"
    assert OrphanCase.objects.get(pk=case_id).status == "reviewed"


def test_a_second_open_case_is_refused_and_a_new_one_after_termination_starts_when_the_old_stops(api_for, actors):
    child = make_person(birth=born_years_ago(9))
    client = api_for(actors.caseworker)
    first = register(client, child).json()["id"]
    second = register(client, child, "institution")
    assert second.status_code == 409
    assert second.json()["code"] == "case_exists"
    pass_case(api_for, actors, "orphans", first)
    later = add_months(current_month(), 3)
    ended = api_for(actors.approver).post(
        f"/api/v1/orphans/{first}/terminate/", {"note": "迁出", "end_month": f"{later:%Y-%m}"}, format="json"
    )
    assert ended.json()["end_month"] == f"{later:%Y-%m}"
    again = register(client, child, "institution").json()["id"]
    approved = pass_case(api_for, actors, "orphans", again)
    assert approved["start_month"] == f"{later:%Y-%m}"  # never two cases paying one child in a month


def test_a_deceased_child_is_refused(api):
    child = make_person(birth=born_years_ago(5))
    type(child).objects.filter(pk=child.pk).update(death_date=born_years_ago(0))
    response = register(api, child)
    assert (response.status_code, response.json()["code"]) == (409, "deceased")


def test_bad_category_and_unknown_guardian_are_field_errors(api):
    child = make_person(birth=born_years_ago(5))
    assert "category" in register(api, child, "street").json()
    response = register(api, child, guardian=999999)
    assert response.status_code == 400
    assert "guardian" in response.json()
    assert not OrphanCase.objects.exists()


def test_outside_ones_geography_is_not_found(api):
    for community in (OTHER_SUBDISTRICT_COMMUNITY, OTHER_DISTRICT_COMMUNITY):
        child = make_person(birth=born_years_ago(5), community=community)
        assert register(api, child).status_code == 404
    assert not OrphanCase.objects.exists()


def test_review_and_approval_belong_to_their_levels(api_for, actors):
    child = make_person(birth=born_years_ago(7))
    case_id = register(api_for(actors.caseworker), child).json()["id"]
    assert api_for(actors.caseworker).post(f"/api/v1/orphans/{case_id}/review/", {}).status_code == 403
    assert api_for(actors.reviewer).post(f"/api/v1/orphans/{case_id}/review/", {}).status_code == 200
    assert api_for(actors.reviewer).post(f"/api/v1/orphans/{case_id}/approve/", {}).status_code == 403
    assert api_for(actors.caseworker).post(f"/api/v1/orphans/{case_id}/approve/", {}).status_code == 403
    assert api_for(actors.approver).post(f"/api/v1/orphans/{case_id}/approve/", {}).status_code == 200


def test_nobody_approves_what_they_submitted(api_for, actors):
    child = make_person(birth=born_years_ago(7))
    case_id = register(api_for(actors.approver), child).json()["id"]
    api_for(actors.reviewer).post(f"/api/v1/orphans/{case_id}/review/", {})
    assert api_for(actors.approver).post(f"/api/v1/orphans/{case_id}/approve/", {}).status_code == 403


def test_suspension_holds_from_next_month_and_resumption_pays_again(api_for, actors):
    child = make_person(birth=born_years_ago(7))
    case_id = pass_case(api_for, actors, "orphans", register(api_for(actors.caseworker), child).json()["id"])["id"]
    approver = api_for(actors.approver)
    suspended = approver.post(f"/api/v1/orphans/{case_id}/suspend/", {"note": "核查中"}, format="json").json()
    assert suspended["status"] == "suspended"
    assert suspended["paid_this_month"] is True  # the month of the decision is still paid
    nxt = add_months(current_month(), 1)
    assert approver.get(f"/api/v1/orphans/{case_id}/allowance/?month={nxt:%Y-%m}").json()["payable"] is False
    assert suspended["holds"][0]["from_month"] == f"{nxt:%Y-%m}"
    resumed = approver.post(f"/api/v1/orphans/{case_id}/resume/", {}, format="json").json()
    assert resumed["status"] == "active"
    assert approver.get(f"/api/v1/orphans/{case_id}/allowance/?month={nxt:%Y-%m}").json()["payable"] is True
    assert [e["action"] for e in resumed["events"]][-2:] == ["suspend", "resume"]
    assert CaseEvent.objects.filter(case_id=case_id, action="suspend", note="核查中").exists()


def test_a_change_of_guardian_is_recorded_on_the_timeline(api_for, actors):
    child = make_person(birth=born_years_ago(7))
    case_id = register(api_for(actors.caseworker), child, guardian="张三").json()["id"]
    body = (
        api_for(actors.caseworker)
        .post(f"/api/v1/orphans/{case_id}/amend/", {"guardian": "李四", "guardian_relationship": "舅舅"}, format="json")
        .json()
    )
    assert (body["guardian"], body["guardian_relationship"]) == ("李四", "舅舅")
    assert body["events"][-1]["action"] == "amend"
