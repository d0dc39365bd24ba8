"""Operating subsidies to elderly-care institutions (养老机构运营补贴): entered by one, approved by another."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from elderly.models import ElderlyCentre, OperatingSubsidy

pytestmark = pytest.mark.django_db

URL = "/api/v1/elderly-subsidies/"
SUBDISTRICT = "370202001"


def operating_centre(name: str = "八大峡街道居家社区养老服务中心", subdistrict: str = SUBDISTRICT, **kwargs):
    from tests.factories import StaffFactory

    values = {
        "status": "operating",
        "site_chosen_on": datetime.date(2019, 3, 1),
        "operator_contracted_on": datetime.date(2019, 6, 1),
        "built_on": datetime.date(2019, 12, 1),
        "operating_since": datetime.date(2020, 1, 6),
        "operator": "颐和养老服务有限公司",
    } | kwargs
    return ElderlyCentre.objects.create(name=name, subdistrict_id=subdistrict, created_by=StaffFactory(), **values)


def body(centre, **overrides) -> dict:
    return {
        "centre": centre.pk,
        "period": "2020-04",
        "amount": "12000.00",
        "bank_name": "青岛银行",
        "bank_account": "6222 0200 0012 3456",
    } | overrides


@pytest.fixture
def people(make_staff):
    class People:
        enterer = make_staff("subdistrict_approver", SUBDISTRICT)
        approver = make_staff("district_approver", "370202")
        other_approver = make_staff("district_approver", "370202")
        caseworker = make_staff("caseworker", SUBDISTRICT)
        far_approver = make_staff("district_approver", "370203")

    return People


def test_entered_by_one_and_approved_by_another(people, api_for):
    centre = operating_centre()
    created = api_for(people.enterer).post(URL, body(centre), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["period"], data["amount"]) == ("entered", "2020-04", "12000.00")
    assert data["bank_account_masked"].endswith("3456") and "0012" not in data["bank_account_masked"]
    approved = api_for(people.approver).post(f"{URL}{data['id']}/approve/", {"note": "核实无误"}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == people.approver.username


def test_approving_ones_own_subsidy_is_refused(people, api_for):
    centre = operating_centre()
    client = api_for(people.approver)
    created = client.post(URL, body(centre), format="json").json()
    response = client.post(f"{URL}{created['id']}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "another member of staff" in response.json()["detail"]
    assert OperatingSubsidy.objects.get(pk=created["id"]).status == "entered"
    # Refusing it is a decision too: not one's own either.
    assert client.post(f"{URL}{created['id']}/refuse/", {}, format="json").status_code == 403


def test_who_may_enter_and_approve(people, api_for):
    centre = operating_centre()
    assert api_for(people.caseworker).post(URL, body(centre), format="json").status_code == 403
    created = api_for(people.enterer).post(URL, body(centre), format="json").json()
    assert api_for(people.enterer).post(f"{URL}{created['id']}/approve/", {}, format="json").status_code == 403
    # Another district's approver does not see it at all.
    assert api_for(people.far_approver).post(f"{URL}{created['id']}/approve/", {}, format="json").status_code == 404
    assert api_for(people.far_approver).get(URL).json()["count"] == 0


def test_a_decided_subsidy_cannot_be_decided_again(people, api_for):
    centre = operating_centre()
    created = api_for(people.enterer).post(URL, body(centre), format="json").json()
    assert api_for(people.approver).post(f"{URL}{created['id']}/refuse/", {}, format="json").status_code == 200
    again = api_for(people.other_approver).post(f"{URL}{created['id']}/approve/", {}, format="json")
    assert again.status_code == 409


def test_one_subsidy_per_institution_and_month_and_only_to_an_operating_one(people, api_for):
    centre = operating_centre()
    client = api_for(people.enterer)
    assert client.post(URL, body(centre), format="json").status_code == 201
    second = client.post(URL, body(centre), format="json")
    assert second.status_code == 409 and second.json()["code"] == "subsidy_exists"
    building = operating_centre(
        name="云南路街道养老服务中心", status="built", operating_since=None, subdistrict=SUBDISTRICT
    )
    refused = client.post(URL, body(building), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_operating"
    assert OperatingSubsidy.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount": "0"}, "amount"),
        ({"bank_account": "12ab"}, "bank_account"),
        ({"period": "2020-13"}, "period"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(people, api_for, overrides, field):
    centre = operating_centre()
    response = api_for(people.enterer).post(URL, body(centre, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not OperatingSubsidy.objects.exists()


def test_the_amount_is_kept_exactly(people, api_for):
    centre = operating_centre()
    api_for(people.enterer).post(URL, body(centre, amount="4260.50"), format="json")
    assert OperatingSubsidy.objects.get().amount == Decimal("4260.50")


def test_the_page_enters_one_and_offers_approval_only_to_another(people, client):
    centre = operating_centre()
    client.force_login(people.enterer)
    page = client.get("/elderly/subsidies/")
    assert page.status_code == 200 and "录入运营补贴" in page.content.decode()
    response = client.post(
        "/elderly/subsidies/",
        {
            "centre": centre.pk,
            "period": "2020-04",
            "amount": "12000.00",
            "bank_name": "青岛银行",
            "bank_account": "6222020000123456",
        },
    )
    assert response.status_code == 302
    subsidy = OperatingSubsidy.objects.get()
    approve_url = f"/elderly/subsidies/{subsidy.pk}/approve/"
    assert approve_url not in client.get("/elderly/subsidies/").content.decode()  # one's own: no button
    client.force_login(people.approver)
    text = client.get("/elderly/subsidies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert approve_url in text and "Entered, awaiting approval" in text
    assert client.post(approve_url).status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.status == "approved"
    client.force_login(people.caseworker)
    assert client.post("/elderly/subsidies/", {"centre": centre.pk}).status_code == 403


def _entered(actor, centre, period="2020-04"):
    from elderly import services

    return services.subsidy_create(
        actor=actor,
        centre=centre,
        period=period,
        amount="9000.00",
        bank_name="青岛银行",
        bank_account="6222020000123456",
    )


def test_the_subsidies_waiting_for_approval_are_in_the_work_queue_of_those_who_may_approve(people, api_for, client):
    """The count is the approve button's question: entered, in the approver's district, not one's own entry."""
    from core import worklist
    from elderly import services

    centre, second, third = (operating_centre(f"养老服务中心{n}") for n in range(3))
    _entered(people.enterer, centre)  # waits for a district approver
    _entered(people.approver, second)  # the approver's own entry: another approves it
    services.subsidy_approve(actor=people.other_approver, subsidy=_entered(people.enterer, third))  # decided

    tasks = {t["kind"]: t for t in api_for(people.approver).get("/api/v1/my/tasks/").json()["items"]}
    assert tasks["subsidies_to_approve"]["count"] == 1
    assert tasks["subsidies_to_approve"]["link"] == "/elderly/subsidies/?to_approve=1"
    assert tasks["subsidies_to_approve"]["label"] == "待您审批的养老机构运营补贴"
    other = {t.kind: t.count for t in worklist.tasks_for(people.other_approver)}
    assert other["subsidies_to_approve"] == 2  # both entered ones: neither is its own
    # The link lists exactly what is counted, each with its approve button.
    client.force_login(people.approver)
    listed = client.get("/elderly/subsidies/?to_approve=1").content.decode()
    assert len(re.findall(r"<tr>\s*<td", listed)) == 1 and listed.count("/approve/") == 1

    # Who may not approve has no such kind; another district's approver has nothing waiting.
    assert "subsidies_to_approve" not in worklist.kinds_for(people.caseworker)
    assert "subsidies_to_approve" not in worklist.kinds_for(people.enterer)  # enters, does not approve
    assert "subsidies_to_approve" in worklist.kinds_for(people.far_approver)
    assert not [t for t in worklist.tasks_for(people.far_approver) if t.kind == "subsidies_to_approve"]
