"""Dibao: the allowance across the April 2020 change, the life cycle, refusals beside successes."""

from __future__ import annotations

import datetime

import pytest

from core.cases import CaseEvent, add_months, current_month, local_today
from relief.models import Delegation, DibaoCase
from relief.services import delegation_set
from tests.conftest import OTHER_DISTRICT, OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, end_notice, make_household, make_id_number

pytestmark = pytest.mark.django_db


INVESTIGATION = {"date": f"{local_today():%Y-%m-%d}", "investigators": "王伟、李娜", "findings": "住房困难"}


def open_case(client, household, income="600.00", **extra):
    """An application, with its home investigation recorded (``investigation=None``: without)."""
    body = {"household": household.pk, "monthly_income": income, "investigation": INVESTIGATION, **extra}
    response = client.post("/api/v1/dibao-cases/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def review(case_id, sd_approver, api_for):
    """The initial opinion, and the 7 days of its public notice passed."""
    assert api_for(sd_approver).post(f"/api/v1/dibao-cases/{case_id}/review/", {}, format="json").status_code == 200
    end_notice(DibaoCase.objects.get(pk=case_id))


def approve(case_id, sd_approver, district_approver, api_for):
    review(case_id, sd_approver, api_for)
    response = api_for(district_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    "expected",
    [
        ("urban", "600.00", "2040.00", "2220.00"),  # (880 − 200) × 3, (940 − 200) × 3
        ("rural", "600.00", "1500.00", "1680.00"),  # (700 − 200) × 3, (760 − 200) × 3
        ("urban", "2700.00", "0.00", "120.00"),  # 900 a head: above 880, below 940
        ("rural", "3000.00", "0.00", "0.00"),  # 1000 a head: above both
    ],
)
def test_allowance_follows_the_standard_of_the_month_asked_with_no_reapproval(api_for, actors, standards, expected):
    area_type, income, january, april = expected
    household = make_household(community=OWN_COMMUNITY, members=3, area_type=area_type)
    case = open_case(api_for(actors.caseworker), household, income)
    approved = approve(case["id"], actors.reviewer, actors.approver, api_for)
    assert approved["status"] == "active"
    assert approved["start_month"] == f"{add_months(current_month(), 1):%Y-%m}"  # paid from next month
    client = api_for(actors.caseworker)
    jan = client.get(f"/api/v1/dibao-cases/{case['id']}/allowance/?month=2020-01").json()
    apr = client.get(f"/api/v1/dibao-cases/{case['id']}/allowance/?month=2020-04").json()
    assert (jan["month"], jan["monthly_allowance"]) == ("2020-01", january)
    assert (apr["month"], apr["monthly_allowance"]) == ("2020-04", april)
    assert jan["standard"] != apr["standard"]
    assert apr["standard"] == {"urban": "940.00", "rural": "760.00"}[area_type]


def test_the_case_shows_this_months_allowance_and_standard(api, standards):
    household = make_household(community=OWN_COMMUNITY, members=2, area_type="urban")
    case = open_case(api, household, "400.00")
    assert (case["status"], case["members_count"], case["household"]) == ("submitted", 2, household.pk)
    assert case["monthly_allowance"] == "1480.00"  # (940 − 200) × 2, the standard in force now
    assert case["per_capita_income"] == "200.00"


def test_incomes_by_member_and_source_add_up_to_the_household_income(api, standards):
    household = make_household(community=OWN_COMMUNITY, members=2)
    member = household.members.exclude(relationship="head").get().person_id
    case = open_case(
        api,
        household,
        None,
        incomes=[
            {"person": household.head_id, "source": "wages", "amount": "300.00"},
            {"person": member, "source": "pension", "amount": "150.50"},
        ],
    )
    assert case["monthly_income"] == "450.50"
    assert {(i["source"], i["amount"]) for i in case["incomes"]} == {("wages", "300.00"), ("pension", "150.50")}


def test_an_income_that_is_not_the_sum_of_the_rows_is_a_field_error(api, standards):
    household = make_household(community=OWN_COMMUNITY)
    response = api.post(
        "/api/v1/dibao-cases/",
        {"household": household.pk, "monthly_income": "500", "incomes": [{"source": "wages", "amount": "300"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "monthly_income" in response.json()


@pytest.mark.parametrize("income", ["-1.00", "abc", "12.345"])
def test_negative_or_non_numeric_income_is_refused(api, standards, income):
    household = make_household(community=OWN_COMMUNITY)
    response = api.post("/api/v1/dibao-cases/", {"household": household.pk, "monthly_income": income}, format="json")
    assert response.status_code == 400
    assert "monthly_income" in response.json()
    assert not DibaoCase.objects.exists()


def test_a_household_outside_ones_geography_is_not_found(api, standards):
    for community in (OTHER_SUBDISTRICT_COMMUNITY, OTHER_DISTRICT_COMMUNITY):
        household = make_household(community=community)
        response = api.post("/api/v1/dibao-cases/", {"household": household.pk, "monthly_income": "0"}, format="json")
        assert response.status_code == 404
    assert not DibaoCase.objects.exists()


def test_a_second_open_case_for_a_household_is_a_409(api, standards):
    household = make_household(community=OWN_COMMUNITY)
    open_case(api, household)
    response = api.post("/api/v1/dibao-cases/", {"household": household.pk, "monthly_income": "0"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "case_exists"


def test_every_transition_records_actor_and_note(api_for, caseworker, sd_approver, district_approver, standards):
    household = make_household(community=OWN_COMMUNITY, members=2)
    case_id = open_case(api_for(caseworker), household, note="申请人到窗口申请", investigation=None)["id"]
    steps = [
        (
            caseworker,
            "investigate",
            {"date": f"{local_today():%Y-%m-%d}", "investigators": "王伟、李娜", "findings": "住房困难"},
        ),
        (sd_approver, "review", {"note": "审核通过"}),
        (district_approver, "approve", {"note": "同意"}),
        (district_approver, "suspend", {"note": "收入核查中"}),
        (district_approver, "resume", {"note": "核查完毕"}),
        (sd_approver, "recheck", {"note": "年度复核", "monthly_income": "500.00"}),
        (district_approver, "terminate", {"note": "收入超过标准"}),
    ]
    for actor, action, body in steps:
        response = api_for(actor).post(f"/api/v1/dibao-cases/{case_id}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.content)
        if action == "review":
            end_notice(DibaoCase.objects.get(pk=case_id))
    events = list(CaseEvent.objects.filter(case_id=case_id, case_type__model="dibaocase").order_by("id"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("submit", "", "submitted"),
        ("investigate", "submitted", "submitted"),
        ("review", "submitted", "public_notice"),
        ("approve", "public_notice", "active"),
        ("suspend", "active", "suspended"),
        ("resume", "suspended", "active"),
        ("recheck", "active", "active"),
        ("terminate", "active", "terminated"),
    ]
    assert [e.actor_id for e in events] == [caseworker.pk, caseworker.pk] + [a.pk for a, _, _ in steps[1:]]
    assert [e.note for e in events] == [
        "申请人到窗口申请",
        "住房困难",
        "审核通过",
        "同意",
        "收入核查中",
        "核查完毕",
        "年度复核",
        "收入超过标准",
    ]
    case = DibaoCase.objects.get(pk=case_id)
    assert case.monthly_income == 500
    assert case.end_month == add_months(current_month(), 1)
    detail = api_for(caseworker).get(f"/api/v1/dibao-cases/{case_id}/").json()
    assert [e["action"] for e in detail["events"]][-1] == "terminate"


@pytest.mark.parametrize(
    "scenario",
    [
        ([], "approve"),
        ([], "suspend"),
        (["review"], "review"),
        (["review", "approve"], "review"),
        (["review", "approve"], "resume"),
    ],
)
def test_a_transition_the_state_forbids_is_a_409_and_changes_nothing(api_for, actors, standards, scenario):
    setup, action = scenario
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(actors.caseworker), household)["id"]
    actor_for = {"review": actors.reviewer, "approve": actors.approver}
    for step in setup:
        response = api_for(actor_for[step]).post(f"/api/v1/dibao-cases/{case_id}/{step}/", {}, format="json")
        assert response.status_code == 200
        if step == "review":
            end_notice(DibaoCase.objects.get(pk=case_id))
    before = DibaoCase.objects.get(pk=case_id).status
    events = CaseEvent.objects.count()
    actor = actors.reviewer if action == "review" else actors.approver
    response = api_for(actor).post(f"/api/v1/dibao-cases/{case_id}/{action}/", {"note": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert DibaoCase.objects.get(pk=case_id).status == before
    assert CaseEvent.objects.count() == events


def test_review_is_the_sub_districts_and_approval_the_districts(
    api_for, caseworker, sd_approver, district_approver, standards
):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    assert api_for(caseworker).post(f"/api/v1/dibao-cases/{case_id}/review/", {}, format="json").status_code == 403
    assert (
        api_for(district_approver).post(f"/api/v1/dibao-cases/{case_id}/review/", {}, format="json").status_code == 403
    )
    review(case_id, sd_approver, api_for)
    # Not delegated: the sub-district may not approve, the district may.
    assert api_for(sd_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 403
    assert api_for(caseworker).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 403
    assert DibaoCase.objects.get(pk=case_id).status == "public_notice"
    assert (
        api_for(district_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 200
    )


def test_a_sub_district_approves_dibao_where_its_district_delegates_it(
    api_for, caseworker, sd_approver, admin_user, standards
):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    review(case_id, sd_approver, api_for)
    delegation_set(
        actor=admin_user, district="370202", power="dibao_approval", effective_from="2020-01-01", delegated=True
    )
    response = api_for(sd_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["approval_level"] == "subdistrict"
    assert Delegation.objects.count() == 1


def test_delegation_can_be_withdrawn_from_a_date(api_for, caseworker, sd_approver, admin_user, standards):
    delegation_set(
        actor=admin_user, district="370202", power="dibao_approval", effective_from="2020-01-01", delegated=True
    )
    delegation_set(
        actor=admin_user, district="370202", power="dibao_approval", effective_from="2021-01-01", delegated=False
    )
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    review(case_id, sd_approver, api_for)
    assert api_for(sd_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 403


def test_no_one_approves_a_case_they_submitted(api_for, make_staff, district_approver, sd_approver, standards):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(district_approver), household)["id"]
    review(case_id, sd_approver, api_for)
    response = api_for(district_approver).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json")
    assert response.status_code == 403
    assert DibaoCase.objects.get(pk=case_id).status == "public_notice"
    colleague = api_for(make_staff("district_approver", "370202"))
    assert colleague.post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 200


def test_cases_outside_ones_geography_are_not_found(api_for, make_staff, caseworker, standards):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    other_sd = make_staff("subdistrict_approver", "370202002")
    other_district = make_staff("district_approver", OTHER_DISTRICT)
    for user in (other_sd, other_district):
        client = api_for(user)
        assert client.get(f"/api/v1/dibao-cases/{case_id}/").status_code == 404
        assert client.post(f"/api/v1/dibao-cases/{case_id}/review/", {}, format="json").status_code in (403, 404)
        assert client.get("/api/v1/dibao-cases/").json()["count"] == 0
    assert api_for(make_staff("leader", "370200")).get(f"/api/v1/dibao-cases/{case_id}/").status_code == 200
    assert api_for(other_district).post(f"/api/v1/dibao-cases/{case_id}/approve/", {}, format="json").status_code == 404


def test_allowance_month_must_be_a_month(api, standards):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api, household)["id"]
    response = api.get(f"/api/v1/dibao-cases/{case_id}/allowance/?month=2020-13")
    assert response.status_code == 400
    assert "month" in response.json()
    response = api.get(f"/api/v1/dibao-cases/{case_id}/allowance/?month=1990-01")
    assert response.status_code == 409
    assert response.json()["code"] == "no_standard"


def test_classified_supplement_is_added_when_configured(api, admin_user, standards):
    from relief.services import standard_create

    standard_create(actor=admin_user, scheme="dibao_supplement_elderly", effective_from="2020-01-01", amount="60.00")
    household = make_household(community=OWN_COMMUNITY, members=1)
    elder = PersonFactory(id_number=make_id_number(birth=datetime.date(1945, 3, 3)), division_id=OWN_COMMUNITY)
    household.members.create(person=elder, relationship="parent")
    case_id = open_case(api, household, "0.00")["id"]
    april = api.get(f"/api/v1/dibao-cases/{case_id}/allowance/?month=2020-04").json()
    assert april["supplement"] == "60.00"
    assert april["monthly_allowance"] == "1940.00"  # 940 × 2 + 60
    december = api.get(f"/api/v1/dibao-cases/{case_id}/allowance/?month=2019-12").json()
    assert december["supplement"] == "0.00"


def test_termination_can_name_the_first_month_no_longer_paid(
    api_for, caseworker, sd_approver, district_approver, standards
):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    approve(case_id, sd_approver, district_approver, api_for)
    next_year = add_months(current_month(), 12)
    response = api_for(district_approver).post(
        f"/api/v1/dibao-cases/{case_id}/terminate/", {"note": "死亡", "end_month": f"{next_year:%Y-%m}"}, format="json"
    )
    assert response.json()["end_month"] == f"{next_year:%Y-%m}"
    assert response.json()["status"] == "terminated"


def test_periodic_review_dates_are_set_on_approval(api_for, caseworker, sd_approver, district_approver, standards):
    household = make_household(community=OWN_COMMUNITY)
    case_id = open_case(api_for(caseworker), household)["id"]
    body = approve(case_id, sd_approver, district_approver, api_for)
    today = local_today()
    assert body["in_public_notice"] is False
    assert body["last_review_on"] == f"{today:%Y-%m-%d}"
    assert body["next_review_on"] > f"{today:%Y-%m-%d}"
    assert body["allowed_actions"] == ["suspend", "terminate", "recheck"]


def test_list_filters_by_status_and_division(api_for, caseworker, district_approver, standards):
    client = api_for(caseworker)
    open_case(client, make_household(community=OWN_COMMUNITY))
    listing = api_for(district_approver).get("/api/v1/dibao-cases/?status=submitted&division=370202001").json()
    assert listing["count"] == 1
    assert api_for(district_approver).get("/api/v1/dibao-cases/?status=active").json()["count"] == 0
    assert api_for(district_approver).get("/api/v1/dibao-cases/?division=370202002").json()["count"] == 0
