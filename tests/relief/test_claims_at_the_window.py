"""Temporary relief at the window (issue 16 §5): the cap checked on entry, approving less, referral to the district."""

from __future__ import annotations

import pytest

from core.cases import CaseEvent, local_today
from relief.models import TemporaryReliefClaim
from tests.conftest import OTHER_SUBDISTRICT
from tests.factories import make_household

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/temporary-relief-claims/"


@pytest.fixture
def household(db, standards):
    return make_household(community="370202001001")


def file(client, household, amount, kind="expense"):
    body = {"household": household.pk, "amount": amount, "kind": kind, "reason": "大病医疗支出"}
    return client.post(CLAIMS, body, format="json")


def usage(client, household):
    return client.get(f"/api/v1/households/{household.pk}/relief-usage/?year={local_today().year}").json()


def test_a_claim_above_the_remaining_cap_is_refused_when_entered(api_for, caseworker, district_approver, household):
    cw = api_for(caseworker)
    first = file(cw, household, "26000.00").json()
    assert api_for(district_approver).post(f"{CLAIMS}{first['id']}/approve/", {}, format="json").status_code == 200
    response = file(cw, household, "4000.01")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "annual_cap_exceeded"
    assert "4000.00" in body["detail"]  # the remaining amount, shown to the clerk
    assert TemporaryReliefClaim.objects.filter(household=household).count() == 1
    assert file(cw, household, "4000.00").status_code == 201  # exactly the remainder


def test_the_form_refuses_it_too_with_the_remaining_amount(browser_client, caseworker, district_approver, household):
    cw = browser_client(caseworker)
    data = {"amount": "30000.01", "kind": "expense", "reason": "大病医疗支出"}
    response = cw.post(f"/relief/claims/new/{household.pk}/", data)
    assert response.status_code == 200
    assert "30000.00" in response.content.decode()
    assert not TemporaryReliefClaim.objects.exists()


def test_the_approver_may_grant_less_with_the_reason_and_the_cap_counts_what_was_granted(
    api_for, caseworker, district_approver, household
):
    claim = file(api_for(caseworker), household, "8000.00").json()
    da = api_for(district_approver)
    url = f"{CLAIMS}{claim['id']}/approve/"
    response = da.post(url, {"amount": "8000.01", "note": "x"}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()
    response = da.post(url, {"amount": "5000.00"}, format="json")  # less, without a reason
    assert response.status_code == 400
    assert "note" in response.json()
    assert da.post(url, {"amount": "0", "note": "x"}, format="json").status_code == 400
    assert TemporaryReliefClaim.objects.get(pk=claim["id"]).status == "submitted"

    response = da.post(url, {"amount": "5000.00", "note": "部分费用已由医保报销"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["approved_amount"]) == ("approved", "8000.00", "5000.00")
    assert usage(api_for(caseworker), household)["used"] == "5000.00"
    assert CaseEvent.objects.filter(case_id=claim["id"], action="approve").get().note == "部分费用已由医保报销"


def test_approving_in_full_records_the_amount_asked(api_for, caseworker, sd_approver, household):
    claim = file(api_for(caseworker), household, "600.00").json()
    body = api_for(sd_approver).post(f"{CLAIMS}{claim['id']}/approve/", {}, format="json").json()
    assert (body["status"], body["approved_amount"]) == ("approved", "600.00")


def test_a_sub_district_refers_a_claim_above_its_power_to_the_district(api_for, actors, make_staff, household):
    caseworker, sd_approver, district_approver = actors.caseworker, actors.reviewer, actors.approver
    claim = file(api_for(caseworker), household, "5000.00").json()
    sd = api_for(sd_approver)
    response = sd.post(f"{CLAIMS}{claim['id']}/approve/", {}, format="json")
    assert response.status_code == 403  # above its power, it says why
    assert "1000.00" in response.json()["detail"]
    # The wrong level may not refer; the other sub-district does not find it.
    assert api_for(district_approver).post(f"{CLAIMS}{claim['id']}/refer/", {}, format="json").status_code == 403
    assert api_for(caseworker).post(f"{CLAIMS}{claim['id']}/refer/", {}, format="json").status_code == 403
    other = api_for(make_staff("subdistrict_approver", OTHER_SUBDISTRICT))
    assert other.post(f"{CLAIMS}{claim['id']}/refer/", {}, format="json").status_code == 404

    response = sd.post(f"{CLAIMS}{claim['id']}/refer/", {"note": "超出街道审批权限，上报区审批"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "referred"
    assert sd.post(f"{CLAIMS}{claim['id']}/refer/", {}, format="json").status_code == 409  # once
    # Even a lesser amount is the district's now.
    response = sd.post(f"{CLAIMS}{claim['id']}/approve/", {"amount": "800.00", "note": "x"}, format="json")
    assert response.status_code == 403

    tasks = {i["kind"]: i for i in api_for(district_approver).get("/api/v1/my/tasks/").json()["items"]}
    assert tasks["claims_to_approve"]["count"] == 1
    listed = api_for(district_approver).get("/api/v1/temporary-relief-claims/?status=referred").json()
    assert [c["id"] for c in listed["results"]] == [claim["id"]]
    sd_tasks = {i["kind"]: i["count"] for i in sd.get("/api/v1/my/tasks/").json()["items"]}
    assert sd_tasks.get("claims_to_approve", 0) == 0

    response = api_for(district_approver).post(f"{CLAIMS}{claim['id']}/approve/", {"note": "同意"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approval_level"]) == ("approved", "district")


def test_a_claim_within_the_sub_districts_power_is_decided_there_not_referred(
    api_for, caseworker, sd_approver, household
):
    claim = file(api_for(caseworker), household, "800.00").json()
    response = api_for(sd_approver).post(f"{CLAIMS}{claim['id']}/refer/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "within_power")
    assert TemporaryReliefClaim.objects.get(pk=claim["id"]).status == "submitted"


def test_the_claim_page_says_why_and_offers_the_referral(browser_client, caseworker, sd_approver, household):
    from relief.services import temporary_relief_claim_create

    claim = temporary_relief_claim_create(
        actor=caseworker, household=household, amount="5000.00", kind="expense", reason="手术"
    )
    html = browser_client(sd_approver).get(f"/relief/claims/{claim.pk}/").content.decode()
    assert 'data-testid="action-refer"' in html
    assert 'data-testid="action-approve"' not in html
    assert 'data-testid="approve-refusal"' in html
    response = browser_client(sd_approver).post(f"/relief/claims/{claim.pk}/refer/", {"refer-note": "上报"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "referred"
