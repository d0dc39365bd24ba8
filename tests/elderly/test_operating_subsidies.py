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


# --- Correcting an approved subsidy's account (four eyes, like its approval) --------------------------------


def _approved(people, centre=None):
    from elderly import services

    subsidy = _entered(people.enterer, centre or operating_centre())
    return services.subsidy_approve(actor=people.approver, subsidy=subsidy)


def _correct(client, subsidy, **overrides):
    data = {"bank": "青岛农商银行", "account": "6228 4800 1234 9876", "reason": "开户行变更，机构来函"} | overrides
    return client.post(f"{URL}{subsidy.pk}/correct-account/", data, format="json")


def test_an_approver_who_did_not_enter_it_corrects_the_account_with_a_reason(people, api_for):
    from core.history import rows_for
    from core.models import CaseEvent

    subsidy = _approved(people)
    response = _correct(api_for(people.approver), subsidy)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["bank_name"], data["bank_account_masked"][-4:], data["status"]) == ("青岛农商银行", "9876", "approved")
    assert "48001234" not in str(data)
    subsidy.refresh_from_db()
    assert (subsidy.bank_name, subsidy.bank_account) == ("青岛农商银行", "6228480012349876")
    # History: the change, in Chinese, the account masked; the reason in the subsidy's case log.
    change = next(c for row in rows_for(subsidy) for c in row.changes if c.field == "bank_account")
    assert change.label == "银行账号"
    assert "6228480012349876" not in str(change.new) and str(change.new).endswith("9876")
    event = CaseEvent.objects.filter(case_id=subsidy.pk, action="correct_account").get()
    assert (event.note, event.actor_id) == ("开户行变更，机构来函", people.approver.pk)


def test_who_may_not_correct_an_account(people, api_for):
    subsidy = _approved(people)
    assert _correct(api_for(people.caseworker), subsidy).status_code == 403  # no power to approve
    own = _correct(api_for(people.enterer), subsidy)
    assert own.status_code == 403  # the sub-district approver entered it (and has no power to approve)
    assert _correct(api_for(people.far_approver), subsidy).status_code == 404  # another district's
    # A district approver's own entry: approved by another, still not corrected by the one who entered it.
    from elderly import services

    own_entry = services.subsidy_approve(
        actor=people.other_approver, subsidy=_entered(people.approver, operating_centre("养老服务中心自录"))
    )
    mine = _correct(api_for(people.approver), own_entry)
    assert mine.status_code == 403 and mine.json()["detail"] == "该补贴由您录入：须由另一名有审批权限的工作人员更正。"
    subsidy.refresh_from_db()
    own_entry.refresh_from_db()
    assert subsidy.bank_account == own_entry.bank_account == "6222020000123456"


@pytest.mark.parametrize(
    "overrides, field",
    [({"reason": "  "}, "reason"), ({"account": "12ab"}, "account"), ({"bank": ""}, "bank")],
)
def test_bad_correction_is_refused_and_nothing_is_written(people, api_for, overrides, field):
    subsidy = _approved(people)
    response = _correct(api_for(people.approver), subsidy, **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()
    subsidy.refresh_from_db()
    assert (subsidy.bank_name, subsidy.bank_account) == ("青岛银行", "6222020000123456")


def test_only_an_approved_subsidys_account_is_corrected(people, api_for):
    entered = _entered(people.enterer, operating_centre())
    response = _correct(api_for(people.approver), entered)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    entered.refresh_from_db()
    assert entered.bank_account == "6222020000123456"


def test_the_page_offers_the_correction_only_to_who_may(people, client):
    subsidy = _approved(people)
    url = f"/elderly/subsidies/{subsidy.pk}/correct-account/"
    client.force_login(people.enterer)
    assert url not in client.get("/elderly/subsidies/").content.decode()
    new = {"bank": "青岛农商银行", "account": "6228480012349876", "reason": "开户行变更"}
    assert client.post(url, new).status_code == 403
    client.force_login(people.approver)
    page = client.get("/elderly/subsidies/").content.decode()
    assert url in page and "更正账户" in page
    response = client.post(url, new)
    assert response.status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.bank_account == "6228480012349876"


def test_the_api_lists_the_ones_to_approve_like_the_page(people, api_for):
    waiting = _entered(people.enterer, operating_centre())
    _entered(people.approver, operating_centre("养老服务中心二"))  # its own: not to approve
    listed = api_for(people.approver).get(URL, {"to_approve": "1"}).json()
    assert [r["id"] for r in listed["results"]] == [waiting.pk]
    assert api_for(people.approver).get(URL).json()["count"] == 2
