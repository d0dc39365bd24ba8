"""GET /api/v1/dashboard/summary/: shape, who may read it, geography, bad input, no writes."""

from __future__ import annotations

import pytest

from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/summary/"
SCHEMES = {"dibao", "tekun", "orphan", "disability_living", "disability_nursing", "price_subsidy"}


def test_the_summary_has_the_contracts_shape(world, make_staff):
    leader = api_client_for(make_staff("leader", "370200"))
    response = leader.get(URL, {"from": "2020-01", "to": "2020-03"})
    assert response.status_code == 200
    body = response.json()
    assert {
        "from",
        "to",
        "division",
        "schemes",
        "temporary_relief",
        "price_subsidy",
        "marriage",
        "social_orgs",
        "roads_named",
        "vagrant_relief",
    } <= set(body)
    assert (body["from"], body["to"], body["division"]) == ("2020-01", "2020-03", "370200")
    assert set(body["schemes"]) == SCHEMES
    dibao = body["schemes"]["dibao"]
    assert set(dibao) == {"households", "persons", "amount", "by_month", "by_division"}
    assert isinstance(dibao["households"], int) and isinstance(dibao["amount"], str) and "." in dibao["amount"]
    assert [m["month"] for m in dibao["by_month"]] == ["2020-01", "2020-02", "2020-03"]
    assert set(dibao["by_month"][0]) == {"month", "households", "persons", "amount"}
    assert set(dibao["by_division"][0]) == {"code", "name", "households", "persons", "amount"}
    assert [d["code"][:4] for d in dibao["by_division"]] == ["3702"] * 10
    assert set(body["temporary_relief"]) == {"households", "claims", "amount"}
    assert set(body["price_subsidy"]) == {"triggers", "persons", "amount"}
    assert set(body["marriage"]) == {"marriages", "divorces"}
    assert set(body["social_orgs"]) == {"registered", "community_filed"}
    assert set(body["vagrant_relief"]) == {"helped", "reunited"}
    assert isinstance(body["roads_named"], int)


def test_a_sub_district_sees_only_its_own_numbers(world, make_staff):
    approver = api_client_for(make_staff("subdistrict_approver", "370202001"))
    body = approver.get(URL, {"from": "2020-01", "to": "2020-03"}).json()
    assert body["division"] == "370202001"
    dibao = body["schemes"]["dibao"]
    # Only its two households (3 + 1 persons); the sibling sub-district's and other districts' are not there.
    assert (dibao["households"], dibao["persons"]) == (2, 4)
    assert {d["code"] for d in dibao["by_division"]} >= {"370202001001", "370202001002"}
    assert all(d["code"].startswith("370202001") for d in dibao["by_division"])
    assert body["schemes"]["tekun"]["persons"] == 1
    leader = api_client_for(make_staff("leader", "370200"))
    same = leader.get(URL, {"from": "2020-01", "to": "2020-03", "division": "370202001"}).json()
    assert same["schemes"] == body["schemes"]


@pytest.mark.parametrize("division", ["370203", "370202", "370200", "370202002", "370203001001", "370299", "x"])
def test_a_division_outside_ones_geography_is_not_found(world, make_staff, division):
    approver = api_client_for(make_staff("subdistrict_approver", "370202001"))
    response = approver.get(URL, {"from": "2020-01", "to": "2020-03", "division": division})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_district_sees_its_district_and_its_communities_but_not_another(world, make_staff):
    district = api_client_for(make_staff("district_approver", "370203"))
    body = district.get(URL, {"from": "2020-01", "to": "2020-03"}).json()
    assert body["schemes"]["dibao"]["households"] == 1
    assert district.get(URL, {"division": "370203001001", "from": "2020-01", "to": "2020-01"}).status_code == 200
    assert district.get(URL, {"division": "370202"}).status_code == 404


@pytest.mark.parametrize("role", ["auditor", "caseworker", "registrar", "security_officer", "admin"])
def test_roles_without_the_dashboard_are_refused(world, make_staff, role):
    division = "370202001" if role == "caseworker" else "370200"
    response = api_client_for(make_staff(role, division)).get(URL)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_no_credentials_is_401(client, divisions):
    assert client.get(URL).status_code in (401, 403)
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2020-05", "to": "2020-01"}, "from"),
        ({"from": "2020-13", "to": "2020-12"}, "from"),
        ({"from": "2020-01", "to": "2020/03"}, "to"),
        ({"from": "abc"}, "from"),
        ({"from": "2020-01-01", "to": "2020-02"}, "from"),
        ({"from": "2000-01", "to": "2020-02"}, "from"),
    ],
)
def test_bad_months_are_refused_with_a_field_error(world, make_staff, params, field):
    leader = api_client_for(make_staff("leader", "370200"))
    response = leader.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field] and isinstance(body[field][0], str) and body[field][0]


def test_messages_follow_the_language(world, make_staff):
    leader = api_client_for(make_staff("leader", "370200"))
    english = leader.get(URL, {"from": "2020-05", "to": "2020-01"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "after" in english["from"][0]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("role", ["leader", "finance", "district_approver"])
def test_no_writes(world, make_staff, method, role):
    division = {"leader": "370200", "finance": "370200", "district_approver": "370202"}[role]
    client = api_client_for(make_staff(role, division))
    response = getattr(client, method)(URL, {"from": "2020-01"}, format="json")
    assert response.status_code in (403, 405)
    assert "detail" in response.json()


def test_the_default_range_is_this_year_to_this_month(world, make_staff):
    from core.cases import local_today

    body = api_client_for(make_staff("leader", "370200")).get(URL).json()
    today = local_today()
    assert body["to"] == f"{today.year:04d}-{today.month:02d}"
    assert body["from"] == f"{today.year:04d}-01"
