from __future__ import annotations

import pytest

from core.models import RevealLog
from people.models import Household, Person
from tests.conftest import OTHER_DISTRICT, OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db


def test_create_person_derives_sex_and_birth_date_and_masks_the_number(api):
    number = make_id_number("370202", __import__("datetime").date(1990, 5, 17), male=False)
    response = api.post("/api/v1/people/", {"id_number": number, "name": "李秀英"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sex"] == "female"
    assert body["birth_date"] == "1990-05-17"
    assert body["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert number not in response.content.decode()


def test_create_person_with_a_wrong_check_character_is_a_field_error_and_saves_nothing(api):
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = api.post("/api/v1/people/", {"id_number": wrong, "name": "张三"}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert not Person.objects.filter(name="张三").exists()


def test_create_person_with_an_impossible_birth_date_is_a_field_error(api):
    body = "37020219900230123"  # 30 February
    from tests.factories import check_char

    response = api.post("/api/v1/people/", {"id_number": body + check_char(body), "name": "张三"}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()


def test_the_same_id_number_twice_is_a_409(api):
    number = make_id_number()
    assert api.post("/api/v1/people/", {"id_number": number, "name": "王伟"}, format="json").status_code == 201
    response = api.post("/api/v1/people/", {"id_number": number, "name": "王伟"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_id_number"
    assert Person.objects.filter(id_number=number).count() == 1


def test_reveal_returns_the_full_number_and_logs_it(api, caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    response = api.post(f"/api/v1/people/{person.pk}/reveal/", {"reason": "入户核查"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id_number": person.id_number}
    log = RevealLog.objects.get()
    assert (log.actor, log.object_id, log.field, log.reason) == (caseworker, str(person.pk), "id_number", "入户核查")


def test_reveal_is_refused_to_a_role_without_the_need(api_for, make_staff):
    leader = make_staff("leader", "370200")
    person = PersonFactory(division_id=OWN_COMMUNITY)
    response = api_for(leader).post(f"/api/v1/people/{person.pk}/reveal/", {}, format="json")
    assert response.status_code == 403
    assert not RevealLog.objects.exists()


def test_create_household_with_members(api):
    head = PersonFactory(division_id="370202001")
    spouse = PersonFactory(division_id="370202001")
    response = api.post(
        "/api/v1/households/",
        {
            "community": OWN_COMMUNITY,
            "address": "八大峡路1号",
            "area_type": "urban",
            "head": head.pk,
            "members": [{"person": head.pk, "relationship": "head"}, {"person": spouse.pk, "relationship": "spouse"}],
            "bank_account": "6222020200112233445",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["members_count"] == 2
    assert "6222020200112233445" not in response.content.decode()
    spouse.refresh_from_db()
    assert spouse.division_id == OWN_COMMUNITY


def test_create_household_in_a_community_outside_ones_area_is_a_field_error(api):
    head = PersonFactory(division_id="370202001")
    response = api.post(
        "/api/v1/households/",
        {
            "community": OTHER_DISTRICT_COMMUNITY,
            "address": "x",
            "area_type": "urban",
            "head": head.pk,
            "members": [{"person": head.pk, "relationship": "head"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert not Household.objects.exists()


def test_a_person_already_in_a_household_cannot_join_another(api):
    household = make_household(community=OWN_COMMUNITY)
    response = api.post(
        "/api/v1/households/",
        {
            "community": OWN_COMMUNITY,
            "address": "x",
            "area_type": "rural",
            "head": household.head_id,
            "members": [{"person": household.head_id, "relationship": "head"}],
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_in_household"
    assert Household.objects.count() == 1


def test_divisions_filter_by_level_and_parent(api):
    districts = api.get("/api/v1/divisions/?level=district&page_size=100").json()
    assert districts["count"] == 10
    assert {d["code"] for d in districts["results"]} >= {"370202", "370281", "370285"}
    subs = api.get(f"/api/v1/divisions/?level=subdistrict&parent={OTHER_DISTRICT}").json()
    assert subs["count"] >= 2
    assert all(d["parent"] == OTHER_DISTRICT and len(d["code"]) == 9 for d in subs["results"])


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_reveal_without_a_reason_is_a_400_on_reason_like_the_browser_form(api, body):
    person = PersonFactory(division_id="370202001001")
    response = api.post(f"/api/v1/people/{person.pk}/reveal/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert person.id_number not in response.content.decode()
    assert not RevealLog.objects.exists()


def test_reveal_outside_ones_geography_is_a_404_even_without_a_reason(api):
    person = PersonFactory(division_id=OTHER_DISTRICT_COMMUNITY)
    response = api.post(f"/api/v1/people/{person.pk}/reveal/", {}, format="json")
    assert response.status_code == 404
