"""The scoping matrix: every list and detail, API and browser, for each role × geography.

Outside the user's geography must look exactly like a record that does not exist, and a
list must never show what its detail would refuse.
"""

from __future__ import annotations

import pytest

from core.roles import Role
from tests.conftest import (
    OTHER_DISTRICT_COMMUNITY,
    OTHER_SUBDISTRICT_COMMUNITY,
    OWN_COMMUNITY,
)
from tests.factories import make_household

pytestmark = pytest.mark.django_db

NONEXISTENT = 10**9

# role → (division of the account, which of own / other_sub / other_district it sees)
# for people; households the same unless listed in HOUSEHOLD_OVERRIDES.
MATRIX = {
    Role.CASEWORKER: ("370202001", {"own"}),
    Role.SUBDISTRICT_APPROVER: ("370202001", {"own"}),
    Role.DISTRICT_APPROVER: ("370202", {"own", "other_sub"}),
    Role.LEADER: ("370200", {"own", "other_sub", "other_district"}),
    Role.FINANCE: ("370200", {"own", "other_sub", "other_district"}),
    Role.REGISTRAR: ("370202", {"own", "other_sub", "other_district"}),  # people: city-wide lookup
    Role.ADMIN: ("370200", {"own", "other_sub", "other_district"}),
    Role.PLACENAME_OFFICER: ("370200", set()),
    Role.SOCIALORG_OFFICER: ("370200", set()),
    Role.SECURITY_OFFICER: ("370200", set()),
    Role.AUDITOR: ("370200", set()),
}
HOUSEHOLD_OVERRIDES = {Role.REGISTRAR: {"own", "other_sub"}}  # households: their district only


@pytest.fixture
def world(divisions):
    return {
        "own": make_household(community=OWN_COMMUNITY),
        "other_sub": make_household(community=OTHER_SUBDISTRICT_COMMUNITY),
        "other_district": make_household(community=OTHER_DISTRICT_COMMUNITY),
    }


def _expected(role, kind):
    division, visible = MATRIX[role]
    if kind == "household":
        visible = HOUSEHOLD_OVERRIDES.get(role, visible)
    return division, visible


def _targets(world, kind):
    if kind == "person":
        return {place: hh.head_id for place, hh in world.items()}
    return {place: hh.pk for place, hh in world.items()}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("kind", ["person", "household"])
def test_api_detail_outside_the_scope_is_the_same_as_nonexistent(role, kind, world, make_staff, api_for):
    division, visible = _expected(role, kind)
    client = api_for(make_staff(role, division))
    base = "/api/v1/people/" if kind == "person" else "/api/v1/households/"
    missing = client.get(f"{base}{NONEXISTENT}/")
    assert missing.status_code in (403, 404)
    for place, pk in _targets(world, kind).items():
        response = client.get(f"{base}{pk}/")
        if place in visible:
            assert response.status_code == 200, (role, kind, place)
        else:
            assert response.status_code == missing.status_code, (role, kind, place)
            assert response.json() == missing.json()


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("kind", ["person", "household"])
def test_api_lists_never_leak(role, kind, world, make_staff, api_for):
    division, visible = _expected(role, kind)
    client = api_for(make_staff(role, division))
    base = "/api/v1/people/" if kind == "person" else "/api/v1/households/"
    response = client.get(f"{base}?page_size=500")
    if not visible:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    targets = _targets(world, kind)
    assert listed & set(targets.values()) == {targets[p] for p in visible}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("kind", ["person", "household"])
def test_browser_detail_outside_the_scope_is_the_same_as_nonexistent(role, kind, world, make_staff, client):
    division, visible = _expected(role, kind)
    client.force_login(make_staff(role, division))
    base = "/people/" if kind == "person" else "/people/households/"
    missing = client.get(f"{base}{NONEXISTENT}/")
    assert missing.status_code in (403, 404)
    for place, pk in _targets(world, kind).items():
        response = client.get(f"{base}{pk}/")
        if place in visible:
            assert response.status_code == 200, (role, kind, place)
        else:
            assert response.status_code == missing.status_code, (role, kind, place)


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("kind", ["person", "household"])
def test_browser_lists_never_leak(role, kind, world, make_staff, client):
    division, visible = _expected(role, kind)
    client.force_login(make_staff(role, division))
    response = client.get("/people/" if kind == "person" else "/people/households/")
    if not visible:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page_ids = {obj.pk for obj in response.context["page"]}
    targets = _targets(world, kind)
    assert page_ids & set(targets.values()) == {targets[p] for p in visible}


def test_a_caseworker_cannot_edit_a_household_of_another_subdistrict(world, make_staff, api_for):
    client = api_for(make_staff(Role.CASEWORKER, "370202001"))
    other = world["other_sub"]
    response = client.patch(f"/api/v1/households/{other.pk}/", {"address": "改"}, format="json")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.address != "改"
    own = world["own"]
    assert client.patch(f"/api/v1/households/{own.pk}/", {"address": "改"}, format="json").status_code == 200


def test_read_only_roles_cannot_write(world, make_staff, api_for):
    client = api_for(make_staff(Role.LEADER, "370200"))
    response = client.patch(f"/api/v1/households/{world['own'].pk}/", {"address": "改"}, format="json")
    assert response.status_code == 403
    response = client.post("/api/v1/people/", {"id_number": "x", "name": "x"}, format="json")
    assert response.status_code == 403
