"""GET /api/v1/dashboard/summary/: shape, who may read it, geography, bad input, no writes."""

from __future__ import annotations

import pytest

from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/summary/"
# api.md: "<scheme> is each payout scheme" (the elderly-care institutions' operating subsidies among them).
SCHEMES = {
    "dibao",
    "tekun",
    "orphan",
    "disability_living",
    "disability_nursing",
    "price_subsidy",
    "temporary_relief",
    "elderly_operating",
}


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
    assert set(dibao) == {"households", "persons", "amount", "by_month", "by_division", "in_force"}
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


def test_with_nothing_paid_yet_the_default_range_is_the_six_months_to_this_month(make_staff):
    from core.cases import add_months, local_today, month_str

    body = api_client_for(make_staff("leader", "370200")).get(URL).json()
    this_month = local_today().replace(day=1)
    assert (body["from"], body["to"]) == (month_str(add_months(this_month, -5)), month_str(this_month))


def test_without_a_period_the_summary_covers_the_latest_six_months_with_approved_payouts(world, make_staff):
    leader = api_client_for(make_staff("leader", "370200"))
    body = leader.get(URL).json()
    assert (body["from"], body["to"]) == ("2019-10", "2020-03")  # world's last approved run: March 2020
    assert body == leader.get(URL, {"from": "2019-10", "to": "2020-03"}).json()


def test_in_force_counts_active_cases_at_the_end_paid_or_not(world, make_staff):
    from django.db.models import Q

    from relief.models import DibaoCase

    leader = api_client_for(make_staff("leader", "370200"))
    body = leader.get(URL, {"from": "2020-01", "to": "2020-03"}).json()
    one_offs = {"price_subsidy", "temporary_relief", "elderly_operating"}
    for scheme in SCHEMES - one_offs:  # per recurring scheme (api.md)
        assert set(body["schemes"][scheme]["in_force"]) == {"households", "persons"}
    for one_off in one_offs:  # a grant paid once (an institution's subsidy: approved per month) is never "in force"
        assert "in_force" not in body["schemes"][one_off]
    dibao = body["schemes"]["dibao"]
    # Started by March and active, or ended (suspended, terminated) only from March on.
    in_force = DibaoCase.objects.filter(start_month__lte="2020-03-01").filter(
        Q(status="active", end_month__isnull=True) | Q(end_month__gte="2020-03-01")
    )
    assert dibao["in_force"]["households"] == in_force.count()
    # A case approved for a later month is not yet in force in March; paid figures ignore it too.
    earlier = leader.get(URL, {"from": "2019-12", "to": "2019-12"}).json()["schemes"]["dibao"]
    assert earlier["in_force"]["households"] == in_force.filter(start_month__lte="2019-12-01").count()
    # Narrowed to a district, only its cases.
    for code in ("370202", "370285"):  # a district with the world's cases, one without
        district = leader.get(URL, {"from": "2020-01", "to": "2020-03", "division": code}).json()
        expected = in_force.filter(household__community__code__startswith=code)
        assert district["schemes"]["dibao"]["in_force"]["households"] == expected.count()


def test_attention_lists_what_waits_each_with_its_list(world, make_staff, client):
    leader = make_staff("leader", "370200")
    body = api_client_for(leader).get(URL, {"from": "2020-01", "to": "2020-03"}).json()
    kinds = {a["kind"]: a for a in body["attention"]}
    assert set(kinds) == {
        "paperwork_overdue",
        "runs_to_approve",
        "runs_failed",
        "hits_open",
        "warnings_open",
        "warnings_overdue",
        "rechecks_overdue",
    }
    client.force_login(leader)
    for item in body["attention"]:
        assert isinstance(item["count"], int)
        assert client.get(item["link"]).status_code == 200, item  # the leader may open every list
    district = api_client_for(leader).get(URL, {"from": "2020-01", "to": "2020-03", "division": "370202"}).json()
    assert all("division=370202" in a["link"] for a in district["attention"] if "runs" not in a["kind"])


def test_attention_counts_open_and_overdue_warnings_scoped_each_with_its_list(world, make_staff, client):
    """Monitoring's warnings through its selector: the city sees all, a sub-district its own, a division narrows."""
    import datetime

    from django.utils import timezone

    from tests.factories import make_household
    from tests.monitoring.test_warnings import make_warning

    own = make_household(community="370202001001")
    sibling = make_household(community="370202002001")
    elsewhere = make_household(community="370203001001")
    make_warning(own)
    make_warning(own, raised_on=timezone.localdate() - datetime.timedelta(days=11))  # past its 10 days
    make_warning(sibling)
    make_warning(elsewhere, raised_on=timezone.localdate() - datetime.timedelta(days=30))
    handled = make_warning(elsewhere)
    type(handled).objects.filter(pk=handled.pk).update(
        status="handled", outcome="visited_no_need", handled_on=timezone.localdate()
    )

    def counts(user, **params):
        body = api_client_for(user).get(URL, {"from": "2020-01", "to": "2020-03", **params}).json()
        found = {a["kind"]: a for a in body["attention"]}
        return found, body

    leader = make_staff("leader", "370200")
    found, body = counts(leader)
    assert (found["warnings_open"]["count"], found["warnings_overdue"]["count"]) == (4, 2)
    by_district = {d["code"]: d for d in body["warnings"]["by_division"]}
    assert (by_district["370202"]["open"], by_district["370202"]["overdue"]) == (3, 1)
    assert (by_district["370203"]["overdue"], by_district["370203"]["on_time"]) == (1, 1)
    client.force_login(leader)
    page = client.get(found["warnings_overdue"]["link"])
    assert page.status_code == 200 and len(page.context["page"]) == 2

    found, body = counts(leader, division="370202")
    assert (found["warnings_open"]["count"], found["warnings_overdue"]["count"]) == (3, 1)
    page = client.get(found["warnings_open"]["link"])
    assert {w.household_id for w in page.context["page"]} == {own.pk, sibling.pk}

    approver = make_staff("subdistrict_approver", "370202001")
    found, body = counts(approver)
    assert (found["warnings_open"]["count"], found["warnings_overdue"]["count"]) == (2, 1)
    assert {d["code"][:9] for d in body["warnings"]["by_division"]} == {"370202001"}
