"""Temporary relief is paid (api.md "Temporary relief: checked on entry, paid in full"): a run of scheme
``temporary_relief`` pays each approved claim once, the amount approved, green-channel claims first; a claim
paid in cash at the window gets a receipt and is never also paid by bank."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.cases import add_months, current_month, month_str
from payouts.models import PayoutLine
from people.models import Person
from relief import services as relief_services
from relief.models import TemporaryReliefClaim
from relief.services import standards_seed
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT, api_client_for
from tests.factories import make_household
from tests.payouts.test_api import approved_run, computed_run, export_csv, return_file

pytestmark = pytest.mark.django_db

THIS_MONTH = month_str(current_month())


@pytest.fixture
def maker(api_for, finance):
    return api_for(finance.maker)


@pytest.fixture
def checker(api_for, finance):
    return api_for(finance.checker)


@pytest.fixture
def relief_staff(make_staff):
    standards_seed(demo=False)
    return make_staff("caseworker", OWN_SUBDISTRICT), make_staff("district_approver", OWN_SUBDISTRICT[:6])


def approved_claim(relief_staff, household, amount="800.00", *, granted=None, green=False) -> TemporaryReliefClaim:
    caseworker, approver = relief_staff
    claim = relief_services.temporary_relief_claim_create(
        actor=caseworker,
        household=household,
        amount=amount,
        kind="urgent" if green else "expense",
        reason="住院",
        green_channel=green,
    )
    note = "部分救助" if granted else ""
    return relief_services.temporary_relief_claim_approve(actor=approver, claim=claim, amount=granted, note=note)


def bank_household(members=2, account="6222020000000009"):
    return make_household(community=OWN_COMMUNITY, members=members, bank_name="演示银行", bank_account=account)


def lines_of(run_id) -> list[PayoutLine]:
    return list(PayoutLine.objects.filter(run_id=run_id).order_by("id"))


def test_a_run_pays_each_approved_claim_once_the_amount_approved_green_channel_first(
    relief_staff, maker, checker, compute
):
    one, other = bank_household(), bank_household(account="6222020000000010")
    first = approved_claim(relief_staff, one, "1000.00", granted="600.00")
    second = approved_claim(relief_staff, one, "300.00")  # the same household, the same month: its own line
    urgent = approved_claim(relief_staff, other, "500.00", green=True)
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    assert (run["status"], run["line_count"], run["total_amount"]) == ("computed", 3, "1400.00")
    lines = lines_of(run["id"])
    assert [(line.source_id, line.amount) for line in lines] == [
        (urgent.pk, Decimal("500.00")),
        (first.pk, Decimal("600.00")),
        (second.pk, Decimal("300.00")),
    ]
    assert {line.beneficiary_id for line in lines[1:]} == {one.head_id}
    assert lines[1].snapshot["asked"] == 1000 and lines[1].snapshot["approved"] == 600
    api_lines = maker.get(f"/api/v1/payout-runs/{run['id']}/lines/").json()["results"]
    assert [row["amount"] for row in api_lines] == ["500.00", "600.00", "300.00"]
    # Approved, exported like any run (green channel at the head of the bank file), and reconciled by returns.
    checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {"note": "ok"}, format="json")
    rows = export_csv(maker, run["id"])
    body = [r for r in rows[1:] if r[1].isdigit()]
    assert [(r[1], r[4]) for r in body] == [
        (str(lines[0].pk), "6222020000000010"),
        (str(lines[1].pk), "6222020000000009"),
        (str(lines[2].pk), "6222020000000009"),
    ]
    returns = [[r[0], r[1], r[5], "paid", ""] for r in body]
    response = maker.post(
        f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": return_file(returns)}, format="multipart"
    )
    assert response.json()["run"]["status"] == "reconciled"


def test_running_again_or_next_month_pays_nobody_twice(relief_staff, maker, checker, compute, request_run):
    last_month = add_months(current_month(), -1)
    claim = approved_claim(relief_staff, bank_household(), "700.00")
    TemporaryReliefClaim.objects.filter(pk=claim.pk).update(
        approved_at=timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    )
    run = approved_run(maker, checker, compute, scheme="temporary_relief", period=month_str(last_month))
    assert run["line_count"] == 1
    again = maker.post("/api/v1/payout-runs/", {"scheme": "temporary_relief", "period": month_str(last_month)})
    assert (again.status_code, again.json()["id"]) == (200, run["id"])
    this_month = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    assert this_month["line_count"] == 0
    assert PayoutLine.objects.filter(source_id=claim.pk, scheme="temporary_relief").count() == 1


def test_a_claim_approved_after_the_month_is_left_for_a_later_run(relief_staff, maker, compute):
    last_month = add_months(current_month(), -1)
    approved_claim(relief_staff, bank_household(), "700.00")  # approved today, in this month
    run = computed_run(maker, compute, scheme="temporary_relief", period=month_str(last_month))
    assert run["line_count"] == 0


def test_a_second_live_line_for_a_claim_is_refused_by_the_database(relief_staff, maker, compute):
    approved_claim(relief_staff, bank_household(), "700.00")
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    line = lines_of(run["id"])[0]
    with pytest.raises(IntegrityError, match="payout_line_once_per_case"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO payouts_payoutline (run_id, scheme, period, beneficiary_id, household_id, source_id,
                                                division_id, amount, status, snapshot, failure_reason,
                                                failed_account_digest)
                SELECT run_id, scheme, period + interval '1 month', beneficiary_id, household_id, source_id,
                       division_id, amount, 'pending', snapshot, '', ''
                  FROM payouts_payoutline WHERE id = %s
                """,
                [line.pk],
            )


def test_a_chunk_written_twice_inserts_nothing_the_second_time(relief_staff, maker, compute):
    from payouts import engine
    from payouts.models import PayoutRun

    approved_claim(relief_staff, bank_household(), "700.00")
    approved_claim(relief_staff, bank_household(account="6222020000000011"), "200.00")
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    plan = PayoutRun.objects.get(pk=run["id"]).plan
    chunk = next(engine.chunks(plan))
    with transaction.atomic():
        result = engine.insert_chunk(plan, chunk)
    assert (result.inserted, PayoutLine.objects.filter(run_id=run["id"]).count()) == (0, 2)


def test_the_payee_is_a_living_member_when_the_head_died_before_the_month(relief_staff, maker, compute):
    household = bank_household(members=2)
    approved_claim(relief_staff, household, "700.00")
    Person.objects.filter(pk=household.head_id).update(death_date=add_months(current_month(), -1))
    other = household.members.exclude(person_id=household.head_id).get().person_id
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    assert [line.beneficiary_id for line in lines_of(run["id"])] == [other]


# --- Cash at the window ------------------------------------------------------------------------------


def pay_cash(client, claim, **body):
    return client.post(f"/api/v1/temporary-relief-claims/{claim.pk}/pay-cash/", body, format="json")


def test_a_claim_paid_in_cash_gets_a_receipt_and_no_bank_line(relief_staff, maker, compute):
    caseworker, _approver = relief_staff
    claim = approved_claim(relief_staff, bank_household(), "900.00", granted="800.00")
    response = pay_cash(api_client_for(caseworker), claim, recipient="张三", note="夜间急难")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cash_recipient"] == "张三" and body["paid_in_cash_at"] and body["cash_receipt_number"]
    assert "pay_cash" not in body["allowed_actions"]
    pdf = api_client_for(caseworker).get(f"/api/v1/temporary-relief-claims/{claim.pk}/documents/cash-receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    assert run["line_count"] == 0
    again = pay_cash(api_client_for(caseworker), claim, recipient="张三")
    assert (again.status_code, again.json()["code"]) == (409, "already_paid")


def test_a_claim_in_a_bank_run_is_not_paid_in_cash(relief_staff, maker, compute):
    caseworker, _approver = relief_staff
    claim = approved_claim(relief_staff, bank_household(), "900.00")
    computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    response = pay_cash(api_client_for(caseworker), claim, recipient="张三")
    assert (response.status_code, response.json()["code"]) == (409, "paid_by_bank")
    assert TemporaryReliefClaim.objects.get(pk=claim.pk).paid_in_cash_at is None


def test_the_receipt_exists_only_once_paid_in_cash(relief_staff):
    caseworker, _approver = relief_staff
    claim = approved_claim(relief_staff, bank_household(), "900.00")
    url = f"/api/v1/temporary-relief-claims/{claim.pk}/documents/cash-receipt.pdf"
    response = api_client_for(caseworker).get(url)
    assert response.status_code == 409  # the mechanism: a document not (yet) available is a conflict


def test_cash_is_refused_before_approval_without_a_recipient_to_other_roles_and_elsewhere(relief_staff, make_staff):
    caseworker, _approver = relief_staff
    submitted = relief_services.temporary_relief_claim_create(
        actor=caseworker, household=bank_household(), amount="300", kind="urgent", reason="火灾"
    )
    refused = pay_cash(api_client_for(caseworker), submitted, recipient="张三")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    claim = approved_claim(relief_staff, bank_household(account="6222020000000012"), "300.00")
    assert pay_cash(api_client_for(caseworker), claim, recipient="  ").status_code == 400
    assert pay_cash(api_client_for(make_staff("finance", "370200")), claim, recipient="张三").status_code == 403
    assert pay_cash(api_client_for(make_staff("caseworker", "370211019")), claim, recipient="张三").status_code == 404
    assert TemporaryReliefClaim.objects.get(pk=claim.pk).paid_in_cash_at is None
    assert pay_cash(api_client_for(caseworker), claim, recipient="张三").status_code == 200


# --- Pages ----------------------------------------------------------------------------------------


def test_the_lines_page_flags_green_channel_claims_until_their_paperwork_is_complete(
    relief_staff, maker, compute, finance, client
):
    caseworker, _approver = relief_staff
    claim = approved_claim(relief_staff, bank_household(), "500.00", green=True)
    run = computed_run(maker, compute, scheme="temporary_relief", period=THIS_MONTH)
    client.force_login(finance.maker)
    page = client.get(f"/payouts/runs/{run['id']}/lines/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Green channel: paperwork outstanding" in page and "green channel (paid first)" in page
    relief_services.temporary_relief_claim_complete_paperwork(actor=caseworker, claim=claim)
    page = client.get(f"/payouts/runs/{run['id']}/lines/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Green channel: paperwork outstanding" not in page


def test_the_dashboard_counts_the_amount_approved_not_the_amount_asked(relief_staff, api_for, make_staff):
    approved_claim(relief_staff, bank_household(), "1000.00", granted="600.00")
    leader = api_for(make_staff("leader", "370200"))
    body = leader.get(f"/api/v1/dashboard/summary/?from={THIS_MONTH}&to={THIS_MONTH}").json()
    assert body["temporary_relief"]["amount"] == "600.00"
