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
        leader = make_staff("leader", "370200")

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


# --- Correcting an approved subsidy's account: proposed by one, confirmed by a finance officer -------------------


@pytest.fixture
def finance(make_staff):
    class Finance:
        one = make_staff("finance", "370200")
        two = make_staff("finance", "370200")
        far = make_staff("finance", "370203")  # a district's finance officer of another district

    return Finance


def _approved(people, centre=None):
    from elderly import services

    subsidy = _entered(people.enterer, centre or operating_centre())
    return services.subsidy_approve(actor=people.approver, subsidy=subsidy)


def _correct(client, subsidy, **overrides):
    data = {"bank": "青岛农商银行", "account": "6228 4800 1234 9876", "reason": "开户行变更，机构来函"} | overrides
    return client.post(f"{URL}{subsidy.pk}/correct-account/", data, format="json")


def _confirm(client, subsidy, **data):
    return client.post(f"{URL}{subsidy.pk}/confirm-account/", data, format="json")


def _unchanged(subsidy) -> bool:
    subsidy.refresh_from_db()
    return (subsidy.bank_name, subsidy.bank_account) == ("青岛银行", "6222020000123456")


def test_proposed_by_an_approver_and_confirmed_by_a_finance_officer(people, finance, api_for):
    from core.history import rows_for
    from core.models import CaseEvent

    subsidy = _approved(people)
    response = _correct(api_for(people.approver), subsidy)
    assert response.status_code == 200, response.content
    data = response.json()
    # Proposed only: the subsidy keeps its account until confirmed; the proposal is shown, masked.
    assert (data["bank_name"], data["bank_account_masked"][-4:]) == ("青岛银行", "3456")
    pending = data["pending_correction"]
    assert (pending["bank_name"], pending["bank_account_masked"][-4:], pending["reason"]) == (
        "青岛农商银行",
        "9876",
        "开户行变更，机构来函",
    )
    assert pending["proposed_by"] == people.approver.username and "48001234" not in str(data)
    assert _unchanged(subsidy)
    confirmed = _confirm(api_for(finance.one), subsidy, note="已电话核实")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["pending_correction"] is None
    subsidy.refresh_from_db()
    assert (subsidy.bank_name, subsidy.bank_account) == ("青岛农商银行", "6228480012349876")
    # History: the change under the confirmer's name, in Chinese, the account masked; both steps in the case log.
    row = next(r for r in rows_for(subsidy) if any(c.field == "bank_account" for c in r.changes))
    change = next(c for c in row.changes if c.field == "bank_account")
    assert change.label == "银行账号" and str(change.new).endswith("9876") and "48001234" not in str(change.new)
    events = {e.action: e for e in CaseEvent.objects.filter(case_id=subsidy.pk, action__endswith="_account")}
    assert events["correct_account"].actor_id == people.approver.pk and "开户行变更" in events["correct_account"].note
    assert "48001234" not in events["correct_account"].note
    assert (events["confirm_account"].actor_id, events["confirm_account"].note) == (finance.one.pk, "已电话核实")
    # The log reads in words, not the events' tokens (they are no moves of the machine: its event labels).
    assert (events["correct_account"].action_label, events["confirm_account"].action_label) == (
        "账户更正已提出",
        "账户更正已确认",
    )


def test_one_finance_officer_proposes_and_another_confirms(people, finance, api_for):
    subsidy = _approved(people)
    assert _correct(api_for(finance.one), subsidy).status_code == 200
    own = _confirm(api_for(finance.one), subsidy)
    assert own.status_code == 403 and own.json()["detail"] == "该更正由您提出：须由另一名财务人员确认或退回。"
    assert _unchanged(subsidy)
    assert _confirm(api_for(finance.two), subsidy).status_code == 200
    subsidy.refresh_from_db()
    assert subsidy.bank_account == "6228480012349876"


def test_who_may_not_propose_or_confirm(people, finance, api_for):
    subsidy = _approved(people)
    assert _correct(api_for(people.caseworker), subsidy).status_code == 403  # no power to approve
    assert _correct(api_for(people.enterer), subsidy).status_code == 403  # entered it (and may not approve)
    assert _correct(api_for(people.far_approver), subsidy).status_code == 404  # another district's
    assert _correct(api_for(finance.far), subsidy).status_code == 404  # another district's finance officer
    assert _correct(api_for(people.leader), subsidy).status_code == 403  # leadership reads only
    # A district approver's own entry: approved by another, still not corrected by the one who entered it.
    from elderly import services

    own_entry = services.subsidy_approve(
        actor=people.other_approver, subsidy=_entered(people.approver, operating_centre("养老服务中心自录"))
    )
    mine = _correct(api_for(people.approver), own_entry)
    assert mine.status_code == 403 and mine.json()["detail"] == "该补贴由您录入：须由另一名有审批权限的工作人员更正。"
    assert not subsidy.corrections.exists() and not own_entry.corrections.exists()
    # Confirming: only a finance officer of the subsidy's geography, never an approver.
    assert _correct(api_for(people.approver), subsidy).status_code == 200
    assert _confirm(api_for(people.other_approver), subsidy).status_code == 403  # wrong role
    assert _confirm(api_for(people.caseworker), subsidy).status_code == 403
    assert _confirm(api_for(finance.far), subsidy).status_code == 404
    assert _unchanged(subsidy)


def test_a_second_proposal_waits_for_the_first_and_nothing_to_confirm_is_a_conflict(people, finance, api_for):
    subsidy = _approved(people)
    nothing = _confirm(api_for(finance.one), subsidy)
    assert nothing.status_code == 409 and nothing.json()["code"] == "no_correction"
    assert _correct(api_for(people.approver), subsidy).status_code == 200
    second = _correct(api_for(finance.one), subsidy, account="6217000000000001")
    assert second.status_code == 409 and second.json()["code"] == "correction_pending"
    assert subsidy.corrections.count() == 1


def test_a_rejected_proposal_leaves_the_account_and_needs_a_reason(people, finance, api_for):
    subsidy = _approved(people)
    _correct(api_for(people.approver), subsidy)
    url = f"{URL}{subsidy.pk}/reject-account/"
    no_reason = api_for(finance.one).post(url, {}, format="json")
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    rejected = api_for(finance.one).post(url, {"note": "来函无机构公章"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["pending_correction"] is None
    assert _unchanged(subsidy)
    assert subsidy.corrections.get().status == "rejected"
    assert _correct(api_for(people.approver), subsidy).status_code == 200  # proposed again, properly


@pytest.mark.parametrize(
    "overrides, field",
    [({"reason": "  "}, "reason"), ({"account": "12ab"}, "account"), ({"bank": ""}, "bank")],
)
def test_bad_correction_is_refused_and_nothing_is_written(people, api_for, overrides, field):
    subsidy = _approved(people)
    response = _correct(api_for(people.approver), subsidy, **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _unchanged(subsidy) and not subsidy.corrections.exists()


def test_only_an_approved_subsidys_account_is_corrected(people, api_for):
    entered = _entered(people.enterer, operating_centre())
    response = _correct(api_for(people.approver), entered)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert not entered.corrections.exists()


def test_the_database_holds_the_four_eyes_of_a_correction(people, finance):
    from django.db import IntegrityError, transaction

    from elderly import services

    subsidy = services.subsidy_correct_account(
        actor=people.approver, subsidy=_approved(people), bank="中国银行", account="6217000000000001", reason="变更"
    )
    correction = subsidy.corrections.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(correction).objects.filter(pk=correction.pk).update(status="confirmed", decided_by=people.approver)


def test_the_page_offers_proposal_and_confirmation_only_to_who_may(people, finance, client):
    from core import worklist

    subsidy = _approved(people)
    url = f"/elderly/subsidies/{subsidy.pk}/correct-account/"
    confirm = f"/elderly/subsidies/{subsidy.pk}/account/confirm/"
    client.force_login(people.enterer)
    assert url not in client.get("/elderly/subsidies/").content.decode()
    new = {"bank": "青岛农商银行", "account": "6228480012349876", "reason": "开户行变更"}
    assert client.post(url, new).status_code == 403
    client.force_login(people.approver)
    page = client.get("/elderly/subsidies/").content.decode()
    assert url in page and "更正账户" in page
    assert client.post(url, new).status_code == 302
    page = client.get("/elderly/subsidies/").content.decode()
    assert "待确认的新账户" in page and confirm not in page  # the approver may not confirm
    assert client.post(confirm).status_code == 403
    assert _unchanged(subsidy)
    # The finance officer's work queue has it, and the page its confirm button.
    tasks = {t.kind: t for t in worklist.tasks_for(finance.one)}
    assert tasks["account_corrections_to_confirm"].count == 1
    assert tasks["account_corrections_to_confirm"].link == "/elderly/subsidies/?to_confirm=1"
    assert "account_corrections_to_confirm" not in worklist.kinds_for(people.approver)
    client.force_login(finance.one)
    listed = client.get("/elderly/subsidies/?to_confirm=1").content.decode()
    assert confirm in listed and "确认新账户" in listed
    response = client.post(confirm)
    assert response.status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.bank_account == "6228480012349876"
    assert not [t for t in worklist.tasks_for(finance.one) if t.kind == "account_corrections_to_confirm"]


def test_a_proposer_finance_officer_has_nothing_of_its_own_to_confirm_in_the_queue(people, finance):
    from core import worklist
    from elderly import services

    services.subsidy_correct_account(
        actor=finance.one, subsidy=_approved(people), bank="中国银行", account="6217000000000001", reason="变更"
    )
    assert not [t for t in worklist.tasks_for(finance.one) if t.kind == "account_corrections_to_confirm"]
    assert {t.kind: t.count for t in worklist.tasks_for(finance.two)}["account_corrections_to_confirm"] == 1
    assert not [t for t in worklist.tasks_for(finance.far) if t.kind == "account_corrections_to_confirm"]


# --- The subsidy's history (GET …/history/, like every other record) -------------------------------------------


def test_the_subsidys_history_in_chinese_without_column_names(people, finance, api_for):
    subsidy = _approved(people)
    _correct(api_for(people.approver), subsidy)
    _confirm(api_for(finance.one), subsidy)
    response = api_for(people.approver).get(f"{URL}{subsidy.pk}/history/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert rows[-1]["action"] == "新建" and rows[0]["actor"]
    labels = {c["label"] for row in rows for c in row["changes"]}
    assert {"状态", "银行账号", "开户银行"} <= labels
    status = next(c for row in rows for c in row["changes"] if c["field"] == "status")
    assert status["new"] == "已批准" and status["old"] == "已录入，待审批"
    # Every label and value is what a person reads: no column name, no enum token, no full account number.
    for change in (c for row in rows for c in row["changes"]):
        assert change["label"] != change["field"] and "_" not in change["label"], change
        assert change["new"] not in ("approved", "entered") and "6228480012349876" not in str(change["new"])
    # Another district: 404, like the subsidy itself.
    assert api_for(people.far_approver).get(f"{URL}{subsidy.pk}/history/").status_code == 404
    assert api_for(people.caseworker).get(f"{URL}{subsidy.pk}/history/").status_code == 200  # who reads it


def test_the_api_lists_the_ones_to_approve_like_the_page(people, api_for):
    waiting = _entered(people.enterer, operating_centre())
    _entered(people.approver, operating_centre("养老服务中心二"))  # its own: not to approve
    listed = api_for(people.approver).get(URL, {"to_approve": "1"}).json()
    assert [r["id"] for r in listed["results"]] == [waiting.pk]
    assert api_for(people.approver).get(URL).json()["count"] == 2
