"""Division changes (撤镇设街道, communities moved; domain.md "Geography"): entered once by an administrator,
in force from their day; the communities, people, households and open cases move; staff keep or lose access."""

from __future__ import annotations

import datetime

import pytest

from core import services, tasks
from core.cases import local_today
from core.errors import Forbidden
from core.models import Division, DivisionChange, User
from monitoring.models import RiskWarning
from people.models import Person
from tests.factories import make_household

pytestmark = pytest.mark.django_db

TOWN = "370211013"  # 王台镇 (黄岛区)
VILLAGE = "370211013001"
NEW_SUB = "370211020"
OTHER_SUB = "370211001"  # 黄岛区's first sub-district
URL = "/api/v1/division-changes/"


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", "370200")


def tomorrow() -> datetime.date:
    return local_today() + datetime.timedelta(days=1)


def town_change(**overrides) -> dict:
    body = {
        "kind": "town_to_subdistrict",
        "effective_on": local_today().isoformat(),
        "division": TOWN,
        "new_code": NEW_SUB,
        "new_name": "王台街道",
    }
    return body | overrides


def test_a_town_becomes_a_subdistrict_and_its_villages_people_and_households_move(admin, api_for):
    household = make_household(community=VILLAGE, members=2)
    response = api_for(admin).post(URL, town_change(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "applied"
    sub = Division.objects.get(code=NEW_SUB)
    assert (sub.name, sub.kind, sub.level, sub.parent_id) == ("王台街道", "subdistrict", "subdistrict", "370211")
    town = Division.objects.get(code=TOWN)
    assert (town.active, town.successor_id) == (False, NEW_SUB)
    new_village = Division.objects.get(code=NEW_SUB + "001")
    assert new_village.parent_id == NEW_SUB
    assert Division.objects.get(code=VILLAGE).successor_id == new_village.code
    household.refresh_from_db()
    assert household.community_id == new_village.code
    assert set(Person.objects.filter(memberships__household=household).values_list("division_id", flat=True)) == {
        new_village.code
    }
    assert [VILLAGE, new_village.code] in response.json()["mapping"]


def test_open_warnings_move_and_handled_ones_keep_their_division(admin):
    household = make_household(community=VILLAGE)
    common = {"kind": "illness", "household": household, "raised_on": local_today(), "due": tomorrow()}
    common |= {"division_id": VILLAGE, "subdistrict_id": TOWN}
    open_one = RiskWarning.objects.create(signal="t:open", **common)
    handled = RiskWarning.objects.create(
        signal="t:handled", status="handled", outcome="visited_no_need", handled_on=local_today(), **common
    )
    services.division_change_create(actor=admin, **_kwargs(town_change()))
    open_one.refresh_from_db()
    handled.refresh_from_db()
    assert (open_one.division_id, open_one.subdistrict_id) == (NEW_SUB + "001", NEW_SUB)
    assert (handled.division_id, handled.subdistrict_id) == (VILLAGE, TOWN)


def _kwargs(body: dict) -> dict:
    return {
        "kind": body["kind"],
        "effective_on": datetime.date.fromisoformat(body["effective_on"]),
        "division_code": body.get("division", ""),
        "new_code": body.get("new_code", ""),
        "new_name": body.get("new_name", ""),
        "target_code": body.get("target", ""),
        "communities": body.get("communities", []),
        "staff_follow": body.get("staff_follow", True),
    }


def test_the_same_code_renames_the_town_in_place(admin, api_for):
    household = make_household(community=VILLAGE)
    response = api_for(admin).post(URL, town_change(new_code=""), format="json")
    assert response.status_code == 201, response.content
    town = Division.objects.get(code=TOWN)
    assert (town.name, town.kind, town.active) == ("王台街道", "subdistrict", True)
    household.refresh_from_db()
    assert household.community_id == VILLAGE


def test_communities_move_to_another_subdistrict(admin, api_for, make_staff):
    household = make_household(community=VILLAGE)
    body = {
        "kind": "move_communities",
        "effective_on": local_today().isoformat(),
        "target": OTHER_SUB,
        "communities": [VILLAGE],
    }
    target_worker = make_staff("caseworker", OTHER_SUB)
    assert api_for(target_worker).get(f"/api/v1/households/{household.pk}/").status_code == 404
    response = api_for(admin).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    household.refresh_from_db()
    assert household.community_id.startswith(OTHER_SUB) and len(household.community_id) == 12
    assert Division.objects.get(code=household.community_id).parent_id == OTHER_SUB
    assert Division.objects.get(code=VILLAGE).active is False
    assert api_for(target_worker).get(f"/api/v1/households/{household.pk}/").status_code == 200


@pytest.mark.parametrize("staff_follow, after", [(True, 200), (False, 404)])
def test_a_caseworker_of_the_town_keeps_or_loses_access_as_the_change_says(
    admin, api_for, make_staff, staff_follow, after
):
    household = make_household(community=VILLAGE)
    worker = make_staff("caseworker", TOWN)
    client = api_for(worker)
    assert client.get(f"/api/v1/households/{household.pk}/").status_code == 200
    response = api_for(admin).post(URL, town_change(staff_follow=staff_follow), format="json")
    assert response.status_code == 201
    worker = User.objects.get(pk=worker.pk)
    assert worker.division_id == (NEW_SUB if staff_follow else TOWN)
    assert api_for(worker).get(f"/api/v1/households/{household.pk}/").status_code == after


def test_a_change_dated_later_waits_for_its_day_and_the_daily_task_applies_it_once(admin, api_for, clock):
    household = make_household(community=VILLAGE)
    response = api_for(admin).post(URL, town_change(effective_on=tomorrow().isoformat()), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "scheduled"
    assert tasks.apply_division_changes() == []  # not yet: today is the day before
    household.refresh_from_db()
    assert household.community_id == VILLAGE
    clock.advance(days=1)
    change_id = response.json()["id"]
    assert tasks.apply_division_changes() == [change_id]
    assert tasks.apply_division_changes() == []  # running it twice changes nothing
    household.refresh_from_db()
    assert household.community_id == NEW_SUB + "001"
    assert DivisionChange.objects.get(pk=change_id).status == "applied"


def test_a_non_administrator_may_not_enter_a_change(make_staff, api_for):
    for role, division in [("caseworker", TOWN), ("district_approver", "370211"), ("leader", "370200")]:
        response = api_for(make_staff(role, division)).post(URL, town_change(), format="json")
        assert response.status_code == 403, role
    assert not DivisionChange.objects.exists()
    with pytest.raises(Forbidden):
        services.division_change_create(actor=make_staff("caseworker", TOWN), **_kwargs(town_change()))
    assert Division.objects.get(code=TOWN).active is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "move_communities", "target": OTHER_SUB, "communities": ["370211001001"]}, "communities"),
        ({"kind": "move_communities", "target": OTHER_SUB, "communities": ["370211099001"]}, "communities"),
        ({"kind": "move_communities", "target": "370211099", "communities": [VILLAGE]}, "target"),
        ({"kind": "move_communities", "target": OTHER_SUB, "communities": []}, "communities"),
        (town_change(division="370211001"), "division"),  # a sub-district already, not a town
        (town_change(division="370211099"), "division"),
        (town_change(new_code="370212020"), "new_code"),  # another district's code
        (town_change(new_code="370211001"), "new_code"),  # taken
        (town_change(new_name=""), "new_name"),
        (town_change(effective_on=(local_today() - datetime.timedelta(days=1)).isoformat()), "effective_on"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(admin, api_for, body, field):
    body = {"effective_on": local_today().isoformat()} | body
    response = api_for(admin).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not DivisionChange.objects.exists()
    assert Division.objects.filter(active=False).count() == 0


def test_a_second_change_of_a_scheduled_town_is_a_conflict(admin, api_for):
    client = api_for(admin)
    assert client.post(URL, town_change(effective_on=tomorrow().isoformat()), format="json").status_code == 201
    response = client.post(URL, town_change(effective_on=tomorrow().isoformat(), new_code="370211021"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "division_change_pending"


def test_the_list_is_the_administrators(admin, api_for, make_staff):
    api_for(admin).post(URL, town_change(), format="json")
    assert api_for(admin).get(URL).json()["count"] == 1
    assert api_for(make_staff("caseworker", TOWN)).get(URL).status_code == 403


def test_the_page_lists_changes_and_enters_one_in_chinese_and_english(admin, client, make_staff):
    client.force_login(admin)
    page = client.get("/divisions/changes/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "区划调整" in page.content.decode()
    response = client.post(
        "/divisions/changes/",
        {
            "kind": "town_to_subdistrict",
            "effective_on": local_today().isoformat(),
            "division": TOWN,
            "new_code": NEW_SUB,
            "new_name": "王台街道",
            "staff_follow": "on",
        },
    )
    assert response.status_code == 302
    text = client.get("/divisions/changes/").content.decode()
    assert "王台街道" in text and NEW_SUB in text and ">town_to_subdistrict<" not in text
    english = client.get("/divisions/changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A town becomes a sub-district" in english
    client.force_login(make_staff("caseworker", TOWN))
    assert client.get("/divisions/changes/").status_code == 403


def test_the_form_shows_a_refusal_and_writes_nothing(admin, client):
    client.force_login(admin)
    response = client.post(
        "/divisions/changes/",
        {
            "kind": "town_to_subdistrict",
            "effective_on": (local_today() - datetime.timedelta(days=3)).isoformat(),
            "division": TOWN,
            "new_name": "王台街道",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "already past" in response.content.decode()
    assert not DivisionChange.objects.exists()
