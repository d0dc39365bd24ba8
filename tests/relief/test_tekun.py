"""Tekun: per person, basic (never below 1.3 × dibao) plus the care standard; the same life cycle."""

from __future__ import annotations

import pytest

from core.cases import local_today
from relief.models import TekunCase
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, end_notice, make_household

pytestmark = pytest.mark.django_db


def create(client, person, **extra):
    body = {"person": person.pk, "care_level": "partial", "placement": "home", **extra}
    return client.post("/api/v1/tekun-cases/", body, format="json")


def review(client, case_id, reviewer_client=None):
    """The home investigation (by ``client``, who filed it), the review, and the 7 days of the notice passed."""
    body = {"date": f"{local_today():%Y-%m-%d}", "investigators": "王伟"}
    assert client.post(f"/api/v1/tekun-cases/{case_id}/investigate/", body, format="json").status_code == 200
    response = (reviewer_client or client).post(f"/api/v1/tekun-cases/{case_id}/review/", {}, format="json")
    assert response.status_code == 200, response.content
    end_notice(TekunCase.objects.get(pk=case_id))


def test_tekun_case_is_approved_and_paid_basic_plus_care(
    api_for, caseworker, sd_approver, district_approver, standards
):
    household = make_household(community=OWN_COMMUNITY, area_type="rural")
    response = create(api_for(caseworker), household.head)
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["status"], case["area_type"], case["care_level"], case["placement"]) == (
        "submitted",
        "rural",
        "partial",
        "home",
    )
    review(api_for(caseworker), case["id"], api_for(sd_approver))
    approved = api_for(district_approver).post(
        f"/api/v1/tekun-cases/{case['id']}/approve/", {"note": "同意"}, format="json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "active"
    jan = api_for(caseworker).get(f"/api/v1/tekun-cases/{case['id']}/allowance/?month=2020-01").json()
    apr = api_for(caseworker).get(f"/api/v1/tekun-cases/{case['id']}/allowance/?month=2020-04").json()
    assert (jan["standard"], jan["care_standard"], jan["monthly_allowance"]) == ("910.00", "600.00", "1510.00")
    assert (apr["standard"], apr["monthly_allowance"]) == ("988.00", "1588.00")


def test_the_care_level_changes_the_amount_at_review(api_for, caseworker, sd_approver, district_approver, standards):
    household = make_household(community=OWN_COMMUNITY, area_type="urban")
    case_id = create(api_for(caseworker), household.head, care_level="full").json()["id"]
    review(api_for(caseworker), case_id, api_for(sd_approver))
    api_for(district_approver).post(f"/api/v1/tekun-cases/{case_id}/approve/", {}, format="json")
    before = api_for(caseworker).get(f"/api/v1/tekun-cases/{case_id}/allowance/?month=2020-05").json()
    response = api_for(sd_approver).post(
        f"/api/v1/tekun-cases/{case_id}/recheck/", {"care_level": "none", "note": "卧床"}, format="json"
    )
    assert response.status_code == 200, response.content
    after = api_for(caseworker).get(f"/api/v1/tekun-cases/{case_id}/allowance/?month=2020-05").json()
    assert (before["monthly_allowance"], after["monthly_allowance"]) == ("1422.00", "2422.00")


def test_a_person_in_no_household_is_rural_in_a_village_and_urban_in_a_community(api_for, make_staff, standards):
    from core.models import Division

    village = Division.objects.filter(kind="village").order_by("code").first()
    worker = make_staff("caseworker", village.parent_id)
    villager = PersonFactory(division_id=village.code)
    assert create(api_for(worker), villager).json()["area_type"] == "rural"
    townsman = PersonFactory(division_id=OWN_COMMUNITY)
    assert create(api_for(make_staff("caseworker")), townsman).json()["area_type"] == "urban"


def test_a_second_open_tekun_case_is_a_409(api, standards):
    person = make_household(community=OWN_COMMUNITY).head
    assert create(api, person).status_code == 201
    response = create(api, person)
    assert response.status_code == 409
    assert response.json()["code"] == "case_exists"


def test_a_person_outside_ones_geography_is_not_found(api, standards):
    person = make_household(community=OTHER_DISTRICT_COMMUNITY).head
    assert create(api, person).status_code == 404
    assert not TekunCase.objects.exists()


def test_bad_care_level_is_a_field_error(api, standards):
    person = make_household(community=OWN_COMMUNITY).head
    response = create(api, person, care_level="some")
    assert response.status_code == 400
    assert "care_level" in response.json()


def test_no_one_approves_a_tekun_case_they_submitted(api_for, district_approver, sd_approver, standards):
    person = make_household(community=OWN_COMMUNITY).head
    case_id = create(api_for(district_approver), person).json()["id"]
    TekunCase.objects.filter(pk=case_id).update(investigated_on=local_today(), investigators="王伟")
    api_for(sd_approver).post(f"/api/v1/tekun-cases/{case_id}/review/", {}, format="json")
    end_notice(TekunCase.objects.get(pk=case_id))
    assert (
        api_for(district_approver).post(f"/api/v1/tekun-cases/{case_id}/approve/", {}, format="json").status_code == 403
    )
    assert TekunCase.objects.get(pk=case_id).status == "public_notice"


def test_the_district_terminates_a_tekun_case_and_a_sub_district_may_not(api_for, actors, standards):
    person = make_household(community=OWN_COMMUNITY).head
    case_id = create(api_for(actors.caseworker), person).json()["id"]
    review(api_for(actors.caseworker), case_id, api_for(actors.reviewer))
    api_for(actors.approver).post(f"/api/v1/tekun-cases/{case_id}/approve/", {}, format="json")
    url = f"/api/v1/tekun-cases/{case_id}/terminate/"
    assert api_for(actors.reviewer).post(url, {"note": "死亡"}, format="json").status_code == 403
    response = api_for(actors.approver).post(url, {"note": "死亡", "end_month": "2030-02"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["end_month"]) == ("terminated", "2030-02")
    assert response.json()["events"][-1]["note"] == "死亡"
