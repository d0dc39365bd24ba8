"""Others at risk (其他困难人员): a caseworker flags a household with the reason; it is in the low-income
population (tier ``at_risk``) until cleared with the reason; scoped, audited, refused beside each success."""

from __future__ import annotations

import pytest
from django.utils import timezone

from monitoring.models import AtRiskFlag
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY, api_client_for
from tests.factories import make_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/at-risk-flags/"


def _flag(api, household, reason="独居老人，子女失联，收入不明"):
    return api.post(URL, {"household": household.pk, "reason": reason}, format="json")


def _at_risk(api):
    response = api.get("/api/v1/low-income/?tier=at_risk")
    assert response.status_code == 200, response.content
    return {row["person"] for row in response.json()["results"]}


def test_a_flagged_household_is_in_the_low_income_population_until_cleared(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    make_household(community=OWN_COMMUNITY, created_by=caseworker)  # not flagged
    assert _at_risk(api) == set()
    response = _flag(api, household)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["household"], body["open"], body["flagged_on"]) == (household.pk, True, str(timezone.localdate()))
    members = set(household.members.values_list("person_id", flat=True))
    assert _at_risk(api) == members
    row = next(r for r in api.get("/api/v1/low-income/?tier=at_risk").json()["results"])
    assert row["tiers"] == ["at_risk"]
    chain = api.get(f"/api/v1/households/{household.pk}/assistance-chain/").json()
    assert "at_risk" in chain["tiers"]

    cleared = api.post(f"{URL}{body['id']}/clear/", {"reason": "已纳入低保"}, format="json")
    assert cleared.status_code == 200, cleared.content
    assert (cleared.json()["open"], cleared.json()["clear_reason"]) == (False, "已纳入低保")
    assert _at_risk(api) == set()
    assert _flag(api, household).status_code == 201  # flagged again later: a new flag


def test_flagging_and_clearing_are_audited_with_who(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    flag_id = _flag(api, household).json()["id"]
    api.post(f"{URL}{flag_id}/clear/", {"reason": "情况好转"}, format="json")
    events = list(AtRiskFlag.pgh_event_model.objects.filter(pgh_obj_id=flag_id).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert all(e.pgh_context.metadata["user"] == caseworker.pk for e in events)
    history = api.get(f"{URL}{flag_id}/history/")
    assert history.status_code == 200


def test_flagging_refusals(api, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    empty = _flag(api, household, reason="  ")
    assert empty.status_code == 400 and "reason" in empty.json()
    too_long = _flag(api, household, reason="因" * 501)
    assert too_long.status_code == 400
    elsewhere = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, created_by=caseworker)
    assert _flag(api, elsewhere).status_code == 404  # another sub-district's household
    leader = api_client_for(make_staff("leader", "370200"))  # reads monitoring, records nothing
    assert _flag(leader, household).status_code == 403
    assert not AtRiskFlag.objects.exists()
    assert _flag(api, household).status_code == 201
    twice = _flag(api, household)
    assert twice.status_code == 409 and twice.json()["code"] == "already_flagged"
    assert AtRiskFlag.objects.count() == 1


def test_clearing_refusals(api, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    flag_id = _flag(api, household).json()["id"]
    url = f"{URL}{flag_id}/clear/"
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    leader = api_client_for(make_staff("leader", "370200"))
    assert leader.post(url, {"reason": "不需要"}, format="json").status_code == 403
    other = api_client_for(make_staff("caseworker", OTHER_SUBDISTRICT_COMMUNITY[:9]))
    assert other.post(url, {"reason": "不需要"}, format="json").status_code == 404
    assert other.get(URL).json()["results"] == []  # not in its lists either
    assert AtRiskFlag.objects.get().open
    assert api.post(url, {"reason": "已核实"}, format="json").status_code == 200
    again = api.post(url, {"reason": "已核实"}, format="json")
    assert again.status_code == 409


def test_the_household_page_offers_the_flag_to_case_staff_only(client, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    client.force_login(make_staff("leader", "370200"))
    page = client.get(f"/people/households/{household.pk}/").content.decode()
    assert 'data-testid="at-risk-form"' not in page
    client.force_login(caseworker)
    page = client.get(f"/people/households/{household.pk}/").content.decode()
    assert 'data-testid="at-risk-form"' in page
    response = client.post(f"/monitoring/households/{household.pk}/at-risk/", {"at_risk-reason": "突发变故"})
    assert response.status_code == 302
    page = client.get(f"/people/households/{household.pk}/").content.decode()
    assert "突发变故" in page and 'data-testid="at-risk-clear-form"' in page
    blank = client.post(f"/monitoring/households/{household.pk}/at-risk/", {"at_risk-reason": ""})
    assert blank.status_code == 302 and AtRiskFlag.objects.count() == 1
    flag = AtRiskFlag.objects.get()
    client.post(f"/monitoring/at-risk/{flag.pk}/clear/", {"at_risk-reason": "已救助"})
    flag.refresh_from_db()
    assert not flag.open and flag.cleared_by == caseworker
