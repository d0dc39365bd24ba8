"""Temporary relief: tiered approval, the annual cap, the green channel, bulk approval, usage."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.cases import CaseEvent, local_today
from relief.models import TemporaryReliefClaim
from relief.services import standard_create, temporary_relief_claims_approve_many
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def file_claim(client, household, amount="800.00", kind="expense", **extra):
    body = {"household": household.pk, "amount": amount, "kind": kind, "reason": "大病医疗支出", **extra}
    response = client.post("/api/v1/temporary-relief-claims/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_claim_is_filed_as_submitted(api):
    household = make_household(community=OWN_COMMUNITY)
    claim = file_claim(api, household, amount="1200")
    assert (claim["status"], claim["household"], claim["amount"], claim["kind"]) == (
        "submitted",
        household.pk,
        "1200.00",
        "expense",
    )


@pytest.mark.parametrize("amount", ["-100", "0", "abc", "10.001", ""])
def test_negative_zero_or_non_numeric_amounts_are_refused(api, amount):
    household = make_household(community=OWN_COMMUNITY)
    body = {"household": household.pk, "amount": amount, "kind": "urgent", "reason": "火灾"}
    response = api.post("/api/v1/temporary-relief-claims/", body, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not TemporaryReliefClaim.objects.exists()


def test_a_claim_for_a_household_outside_ones_geography_is_not_found(api):
    for community in (OTHER_SUBDISTRICT_COMMUNITY, OTHER_DISTRICT_COMMUNITY):
        household = make_household(community=community)
        body = {"household": household.pk, "amount": "100", "kind": "urgent", "reason": "火灾"}
        assert api.post("/api/v1/temporary-relief-claims/", body, format="json").status_code == 404
    assert not TemporaryReliefClaim.objects.exists()


def test_a_sub_district_approves_a_small_claim(api_for, caseworker, sd_approver):
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="1000.00")
    response = api_for(sd_approver).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {"note": "情况属实"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["approval_level"], body["cap_year"]) == ("approved", "subdistrict", local_today().year)
    assert body["events"][-1]["note"] == "情况属实"


def test_a_sub_district_may_not_approve_above_its_districts_threshold(
    api_for, caseworker, sd_approver, district_approver
):
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="1000.01")
    response = api_for(sd_approver).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json")
    assert response.status_code == 403
    assert "1000.00" in response.json()["detail"]
    assert TemporaryReliefClaim.objects.get(pk=claim["id"]).status == "submitted"
    response = api_for(district_approver).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["approval_level"] == "district"


def test_the_threshold_is_per_district(api_for, caseworker, sd_approver, admin_user):
    standard_create(
        actor=admin_user,
        scheme="temporary_relief_small_claim",
        division="370202",
        effective_from="2020-01-01",
        amount="3000",
    )
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="2500")
    assert (
        api_for(sd_approver)
        .post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json")
        .status_code
        == 200
    )


def test_a_caseworker_may_not_approve(api_for, caseworker, make_staff):
    other = make_staff("caseworker")
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="100")
    assert (
        api_for(other).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json").status_code
        == 403
    )


def test_no_one_approves_a_claim_they_submitted(api_for, sd_approver, make_staff):
    claim = file_claim(api_for(sd_approver), make_household(community=OWN_COMMUNITY), amount="100")
    response = api_for(sd_approver).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json")
    assert response.status_code == 403
    assert TemporaryReliefClaim.objects.get(pk=claim["id"]).status == "submitted"
    other = make_staff("subdistrict_approver")
    assert (
        api_for(other).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json").status_code
        == 200
    )


def test_approvers_of_other_areas_do_not_find_the_claim(api_for, caseworker, make_staff):
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="100")
    for user in (make_staff("subdistrict_approver", "370202002"), make_staff("district_approver", "370203")):
        assert (
            api_for(user).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json").status_code
            == 404
        )
        assert api_for(user).get(f"/api/v1/temporary-relief-claims/{claim['id']}/").status_code == 404


def test_approving_past_the_annual_cap_is_a_409_and_changes_nothing(api_for, caseworker, district_approver):
    household = make_household(community=OWN_COMMUNITY)
    cw, da = api_for(caseworker), api_for(district_approver)
    first = file_claim(cw, household, amount="25000.00")
    second = file_claim(cw, household, amount="5000.01")  # filed while the whole cap remained
    assert da.post(f"/api/v1/temporary-relief-claims/{first['id']}/approve/", {}, format="json").status_code == 200
    events = CaseEvent.objects.count()
    response = da.post(f"/api/v1/temporary-relief-claims/{second['id']}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "annual_cap_exceeded"
    claim = TemporaryReliefClaim.objects.get(pk=second["id"])
    assert (claim.status, claim.approved_by_id, claim.cap_year) == ("submitted", None, None)
    assert CaseEvent.objects.count() == events
    exact = file_claim(cw, household, amount="5000.00")
    assert da.post(f"/api/v1/temporary-relief-claims/{exact['id']}/approve/", {}, format="json").status_code == 200
    usage = cw.get(f"/api/v1/households/{household.pk}/relief-usage/?year={local_today().year}").json()
    assert usage == {"year": local_today().year, "cap": "30000.00", "used": "30000.00", "remaining": "0.00"}


def test_the_cap_is_per_calendar_year(api_for, caseworker, district_approver):
    household = make_household(community=OWN_COMMUNITY)
    last_year = local_today().year - 1
    old = TemporaryReliefClaim.objects.create(
        household=household,
        amount="30000.00",
        kind="expense",
        reason="去年",
        status="approved",
        created_by=caseworker,
        approved_by=district_approver,
        approved_at=timezone.now() - datetime.timedelta(days=400),
        cap_year=last_year,
    )
    claim = file_claim(api_for(caseworker), household, amount="2000")
    assert (
        api_for(district_approver)
        .post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json")
        .status_code
        == 200
    )
    usage = api_for(caseworker).get(f"/api/v1/households/{household.pk}/relief-usage/?year={last_year}").json()
    assert usage["used"] == "30000.00"
    assert old.cap_year == last_year


def test_usage_in_2019_is_against_the_old_cap(api):
    household = make_household(community=OWN_COMMUNITY)
    usage = api.get(f"/api/v1/households/{household.pk}/relief-usage/?year=2019").json()
    assert usage == {"year": 2019, "cap": "20000.00", "used": "0.00", "remaining": "20000.00"}


def test_usage_is_scoped_and_checks_the_year(api, api_for, make_staff):
    household = make_household(community=OTHER_DISTRICT_COMMUNITY)
    assert api.get(f"/api/v1/households/{household.pk}/relief-usage/?year=2020").status_code == 404
    own = make_household(community=OWN_COMMUNITY)
    response = api.get(f"/api/v1/households/{own.pk}/relief-usage/?year=twenty")
    assert response.status_code == 400
    assert "year" in response.json()
    assert api.get(f"/api/v1/households/{own.pk}/relief-usage/").json()["year"] == local_today().year
    assert api_for(make_staff("admin", "370200")).get(f"/api/v1/households/{own.pk}/relief-usage/").status_code == 403


def test_green_channel_claim_is_paid_first_and_its_paperwork_tracked(api_for, caseworker, sd_approver):
    household = make_household(community=OWN_COMMUNITY)
    claim = file_claim(api_for(caseworker), household, amount="500", kind="urgent", green_channel=True)
    approved = (
        api_for(sd_approver).post(f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json").json()
    )
    assert approved["paperwork_due"] == f"{local_today() + datetime.timedelta(days=10):%Y-%m-%d}"
    assert approved["paperwork_overdue"] is False
    assert approved["allowed_actions"] == ["complete_paperwork", "pay_cash"]
    TemporaryReliefClaim.objects.filter(pk=claim["id"]).update(paperwork_due=local_today() - datetime.timedelta(days=1))
    overdue = api_for(sd_approver).get("/api/v1/temporary-relief-claims/?overdue=true").json()
    assert [c["id"] for c in overdue["results"]] == [claim["id"]]
    done = api_for(caseworker).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/complete-paperwork/", {"note": "材料已补齐"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["paperwork_overdue"] is False
    assert api_for(sd_approver).get("/api/v1/temporary-relief-claims/?overdue=true").json()["count"] == 0
    again = api_for(caseworker).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/complete-paperwork/", {}, format="json"
    )
    assert again.status_code == 409


def test_only_urgent_claims_use_the_green_channel(api):
    household = make_household(community=OWN_COMMUNITY)
    body = {"household": household.pk, "amount": "500", "kind": "expense", "reason": "x", "green_channel": True}
    response = api.post("/api/v1/temporary-relief-claims/", body, format="json")
    assert response.status_code == 400
    assert "green_channel" in response.json()


def test_rejected_and_withdrawn_claims_cannot_be_approved(api_for, caseworker, sd_approver):
    household = make_household(community=OWN_COMMUNITY)
    rejected = file_claim(api_for(caseworker), household, amount="100")
    assert (
        api_for(sd_approver)
        .post(f"/api/v1/temporary-relief-claims/{rejected['id']}/reject/", {"note": "不符合条件"}, format="json")
        .status_code
        == 200
    )
    withdrawn = file_claim(api_for(caseworker), household, amount="100")
    assert (
        api_for(caseworker)
        .post(f"/api/v1/temporary-relief-claims/{withdrawn['id']}/withdraw/", {}, format="json")
        .status_code
        == 200
    )
    for claim in (rejected, withdrawn):
        response = api_for(sd_approver).post(
            f"/api/v1/temporary-relief-claims/{claim['id']}/approve/", {}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"


def test_bulk_approval_gives_each_claim_its_own_result(api_for, caseworker, sd_approver):
    household = make_household(community=OWN_COMMUNITY)
    cw = api_for(caseworker)
    small = file_claim(cw, household, amount="900")
    big = file_claim(cw, household, amount="5000")
    done = file_claim(cw, household, amount="300")
    api_for(sd_approver).post(f"/api/v1/temporary-relief-claims/{done['id']}/approve/", {}, format="json")
    own = file_claim(api_for(sd_approver), household, amount="200")
    response = api_for(sd_approver).post(
        "/api/v1/temporary-relief-claims/approve-many/",
        {"claims": [small["id"], big["id"], done["id"], own["id"], 999999], "note": "批量审批"},
        format="json",
    )
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["results"]}
    assert results[small["id"]]["approved"] is True
    assert [results[pk]["approved"] for pk in (big["id"], done["id"], own["id"], 999999)] == [False] * 4
    assert all(results[pk]["message"] for pk in results)
    assert TemporaryReliefClaim.objects.get(pk=small["id"]).status == "approved"
    assert TemporaryReliefClaim.objects.get(pk=big["id"]).status == "submitted"


def test_bulk_approval_service_refuses_an_empty_selection(sd_approver):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        temporary_relief_claims_approve_many(actor=sd_approver, claim_ids=[])


def test_messages_are_in_the_users_language(api_for, caseworker, sd_approver):
    claim = file_claim(api_for(caseworker), make_household(community=OWN_COMMUNITY), amount="5000")
    url = f"/api/v1/temporary-relief-claims/{claim['id']}/approve/"
    chinese = api_for(sd_approver).post(url, {}, format="json").json()["detail"]
    english = api_for(sd_approver).post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert "district" in english
    assert chinese != english


def test_an_unknown_kind_is_a_field_error(api):
    household = make_household(community=OWN_COMMUNITY)
    body = {"household": household.pk, "amount": "100", "kind": "gift", "reason": "x"}
    response = api.post("/api/v1/temporary-relief-claims/", body, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
