"""Operating subsidies to elderly-care institutions paid by their own scheme (``elderly_operating``) through
the payout engine, bank file and returns: once per approved subsidy, never an unapproved one."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db.models import Sum

from dashboard.models import PaidMonth
from elderly import services as elderly_services
from payouts import engine
from payouts.models import PayoutLine, PayoutRun
from payouts.services import run_approve
from tests.elderly.test_operating_subsidies import operating_centre

pytestmark = pytest.mark.django_db

SUBDISTRICT = "370202001"


@pytest.fixture
def subsidies(make_staff):
    enterer = make_staff("district_approver", "370202")  # enters for the district's three institutions
    approver = make_staff("district_approver", "370202")  # another approves
    first = operating_centre()
    second = operating_centre(name="中山路街道养老服务中心", subdistrict="370202003")
    third = operating_centre(name="江苏路街道养老服务中心", subdistrict="370202004")
    made = {}
    for key, centre, amount in [("approved", first, "12000.00"), ("entered", second, "8000.00")]:
        made[key] = elderly_services.subsidy_create(
            actor=enterer,
            centre=centre,
            period="2020-04",
            amount=amount,
            bank_name="青岛银行",
            bank_account=f"62220200000{centre.pk:05d}",
        )
    made["refused"] = elderly_services.subsidy_create(
        actor=enterer, centre=third, period="2020-04", amount="5000.00", bank_name="青岛银行", bank_account="6222020099"
    )
    elderly_services.subsidy_approve(actor=approver, subsidy=made["approved"])
    elderly_services.subsidy_refuse(actor=approver, subsidy=made["refused"])
    made["enterer"], made["approver"] = enterer, approver
    return made


def test_only_the_approved_subsidy_is_paid_once_to_the_institution(subsidies, request_run, compute):
    run = request_run("elderly_operating", "2020-04")
    assert compute(run) == "computed"
    lines = list(PayoutLine.objects.filter(run=run))
    assert len(lines) == 1
    line = lines[0]
    approved = subsidies["approved"]
    assert (line.source_id, line.amount, line.beneficiary_id, line.household_id) == (
        approved.pk,
        Decimal("12000.00"),
        None,
        None,
    )
    assert line.division_id == SUBDISTRICT
    assert line.snapshot["institution"] == approved.centre.name
    # Not approved (entered, or refused): not paid.
    assert not PayoutLine.objects.filter(source_id__in=[subsidies["entered"].pk, subsidies["refused"].pk]).exists()


def test_running_twice_writes_no_second_line(subsidies, request_run, compute, finance):
    run = request_run("elderly_operating", "2020-04")
    compute(run)
    again = request_run("elderly_operating", "2020-04", actor=finance.checker)
    assert again.pk == run.pk
    compute(again)
    run.refresh_from_db()
    for chunk in engine.chunks(run.plan):
        assert engine.insert_chunk(run.plan, chunk).inserted == 0  # a chunk written twice adds nothing
    assert PayoutLine.objects.filter(scheme="elderly_operating").count() == 1
    assert PayoutRun.objects.filter(scheme="elderly_operating").count() == 1


def test_a_subsidy_approved_later_is_paid_by_the_runs_recomputation_and_still_once(
    subsidies, request_run, compute, finance, make_staff
):
    from payouts.services import run_recompute

    run = request_run("elderly_operating", "2020-04")
    compute(run)
    elderly_services.subsidy_approve(actor=make_staff("district_approver", "370202"), subsidy=subsidies["entered"])
    run_recompute(actor=finance.maker, run=PayoutRun.objects.get(pk=run.pk))
    compute(run)
    assert sorted(PayoutLine.objects.filter(run=run).values_list("source_id", flat=True)) == sorted(
        [subsidies["approved"].pk, subsidies["entered"].pk]
    )


def test_the_bank_file_pays_the_institutions_account_and_the_return_settles_it(
    subsidies, request_run, compute, finance, api_for
):
    run = request_run("elderly_operating", "2020-04")
    compute(run)
    run_approve(actor=finance.checker, run=PayoutRun.objects.get(pk=run.pk))
    assert PaidMonth.objects.get(scheme="elderly_operating").amount == Decimal("12000.00")  # on the dashboard
    client = api_for(finance.maker)
    response = client.post(f"/api/v1/payout-runs/{run.pk}/export/", {"format": "csv"}, format="json")
    assert response.status_code == 200, response.content
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    approved = subsidies["approved"]
    payment = next(r for r in rows if r[1].isdigit())
    assert approved.centre.name in payment and approved.bank_account in payment and "青岛银行" in payment
    returns = io.BytesIO(
        ("batch_ref,line_ref,amount,result,reason\n" + f"{payment[0]},{payment[1]},{payment[5]},paid,\n").encode()
    )
    returns.name = "returns.csv"
    result = client.post(f"/api/v1/payout-runs/{run.pk}/import-returns/", {"file": returns}, format="multipart")
    assert result.status_code == 200, result.content
    assert result.json()["run"]["status"] == "reconciled"
    assert PayoutLine.objects.get(run=run).status == "paid"
    lines = client.get(f"/api/v1/payout-runs/{run.pk}/lines/").json()["results"]
    assert lines[0]["beneficiary"] is None and lines[0]["beneficiary_name"] == approved.centre.name


def test_a_failed_payment_is_re_paid_by_one_follow_up_once_the_institutions_account_is_corrected(
    subsidies, request_run, compute, finance, api_for
):
    """The follow-up asks the scheme for the institution's account (``payees``): not a household's."""
    from elderly.models import OperatingSubsidy

    run = request_run("elderly_operating", "2020-04")
    compute(run)
    run_approve(actor=finance.checker, run=PayoutRun.objects.get(pk=run.pk))
    client = api_for(finance.maker)
    exported = client.post(f"/api/v1/payout-runs/{run.pk}/export/", {"format": "csv"}, format="json")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    payment = next(r for r in rows if r[1].isdigit())
    correct = f"/api/v1/elderly-subsidies/{subsidies['approved'].pk}/correct-account/"
    new = {"bank": "青岛农商银行", "account": "6222029999999999", "reason": "户名不符：机构更换了结算账户"}
    # The bank file is with the bank: its account is not changed under it (a clear refusal, nothing written).
    sent = api_for(subsidies["approver"]).post(correct, new, format="json")
    assert sent.status_code == 409 and sent.json()["code"] == "bank_file_sent", sent.content
    assert "已发送银行" in sent.json()["detail"]
    assert not OperatingSubsidy.objects.get(pk=subsidies["approved"].pk).corrections.exists()
    returns = io.BytesIO(
        f"batch_ref,line_ref,amount,result,reason\n{payment[0]},{payment[1]},{payment[5]},failed,户名不符\n".encode()
    )
    returns.name = "returns.csv"
    imported = client.post(f"/api/v1/payout-runs/{run.pk}/import-returns/", {"file": returns}, format="multipart")
    assert imported.status_code == 200, imported.content
    failed = PayoutLine.objects.get(run=run)
    assert failed.status == "failed"
    url = f"/api/v1/payout-runs/{run.pk}/follow-up/"

    # The account has not been corrected: nothing to re-pay.
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "nothing_to_repay"
    assert PayoutLine.objects.filter(scheme="elderly_operating").count() == 1

    # The correction is four eyes: proposed by one who did not enter the subsidy, confirmed by a finance officer.
    confirm = f"/api/v1/elderly-subsidies/{failed.source_id}/confirm-account/"
    assert api_for(subsidies["enterer"]).post(correct, new, format="json").status_code == 403
    proposed = api_for(subsidies["approver"]).post(correct, new, format="json")
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["pending_correction"]["bank_account_masked"].endswith("9999")
    assert client.post(url, {}, format="json").status_code == 409  # proposed, not confirmed: nothing to re-pay
    assert api_for(subsidies["approver"]).post(confirm, {}, format="json").status_code == 403  # not finance

    # Confirmed by a finance officer: one follow-up line, the same amount, to the institution (no person),
    # re-paying the failed one, to the new account.
    confirmed = client.post(confirm, {}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["pending_correction"] is None
    response = client.post(url, {"note": "账户已更正"}, format="json")
    assert response.status_code == 202, response.content
    follow_up = response.json()["id"]
    assert compute(follow_up) == "computed"
    repaid = list(PayoutLine.objects.filter(run_id=follow_up))
    assert [(r.source_id, r.amount, r.beneficiary_id, r.replaces_id) for r in repaid] == [
        (failed.source_id, failed.amount, None, failed.pk)
    ]
    follow_up_run = PayoutRun.objects.get(pk=follow_up)
    run_approve(actor=finance.checker, run=follow_up_run)
    exported = client.post(f"/api/v1/payout-runs/{follow_up}/export/", {"format": "csv"}, format="json")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    paid = [r for r in rows if r[1].isdigit()]
    assert len(paid) == 1 and "6222029999999999" in paid[0] and "青岛农商银行" in paid[0]
    assert OperatingSubsidy.objects.get(pk=failed.source_id).bank_account == "6222029999999999"

    # The follow-up's file is with the bank now: no further correction of this subsidy until it returns.
    later = {"bank": "中国银行", "account": "6217000000000001", "reason": "再次变更"}
    refused = api_for(subsidies["approver"]).post(correct, later, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "bank_file_sent"

    # Twice: no second follow-up, and its chunks written again add nothing.
    again = client.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_repay"
    plan = PayoutRun.objects.get(pk=follow_up).plan
    for chunk in engine.chunks(plan):
        assert engine.insert_chunk(plan, chunk).inserted == 0
    assert PayoutLine.objects.filter(scheme="elderly_operating").exclude(status="failed").count() == 1
    assert PayoutRun.objects.filter(scheme="elderly_operating").count() == 2


def test_an_institution_of_the_register_is_paid_by_the_same_run_once_to_its_own_account(
    subsidies, request_run, compute, finance, api_for
):
    """A subsidy to an institution (not a centre) is a line of the same ``elderly_operating`` run: once, in
    the institution's sub-district, and the bank file pays the institution's name and account."""
    from elderly.models import ElderlyInstitution

    home = ElderlyInstitution.objects.create(
        name="市南区颐和养老院", kind="private", subdistrict_id="370202002", beds=120, created_by=subsidies["enterer"]
    )
    subsidy = elderly_services.subsidy_create(
        actor=subsidies["enterer"],
        institution=home,
        period="2020-04",
        amount="30000.00",
        bank_name="青岛农商银行",
        bank_account="6228480077001234",
    )
    elderly_services.subsidy_approve(actor=subsidies["approver"], subsidy=subsidy)
    run = request_run("elderly_operating", "2020-04")
    compute(run)
    compute(run)  # twice: nothing more
    lines = {line.source_id: line for line in PayoutLine.objects.filter(run=run)}
    assert set(lines) == {subsidies["approved"].pk, subsidy.pk}
    line = lines[subsidy.pk]
    assert (line.amount, line.beneficiary_id, line.division_id) == (Decimal("30000.00"), None, "370202002")
    assert line.snapshot["institution"] == home.name
    run_approve(actor=finance.checker, run=PayoutRun.objects.get(pk=run.pk))
    assert PaidMonth.objects.filter(scheme="elderly_operating").aggregate(t=Sum("amount"))["t"] == Decimal("42000.00")
    exported = api_for(finance.maker).post(f"/api/v1/payout-runs/{run.pk}/export/", {"format": "csv"}, format="json")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    paid = [r for r in rows if home.name in r]
    assert len(paid) == 1 and "6228480077001234" in paid[0] and "青岛农商银行" in paid[0]
