"""The payouts API (api.md): requests, reads, approval (maker ≠ checker), bank file, returns, follow-ups."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from core.cases import add_months, current_month
from core.models import RevealLog
from payouts import bankfiles
from payouts.models import BankExport, PayoutLine, PayoutRun, ReturnImport
from people.models import Household
from tests.payouts.conftest import dibao_case, tekun_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(payout_standards, staff):
    made = [
        dibao_case(members=3, income="500.00", created_by=staff, bank_account="6222020000000001"),
        dibao_case(
            community="370211019001",
            area_type="rural",
            members=2,
            income="0",
            created_by=staff,
            bank_account="6222020000000002",
        ),
        dibao_case(members=1, income="100.00", created_by=staff, bank_account="6222020000000003"),
    ]
    tekun_case(created_by=staff)
    return made


@pytest.fixture
def maker(api_for, finance):
    return api_for(finance.maker)


@pytest.fixture
def checker(api_for, finance):
    return api_for(finance.checker)


def computed_run(maker, compute, scheme="dibao", period="2020-04") -> dict:
    response = maker.post("/api/v1/payout-runs/", {"scheme": scheme, "period": period}, format="json")
    assert response.status_code in (200, 202), response.content
    compute(response.json()["id"])
    return maker.get(f"/api/v1/payout-runs/{response.json()['id']}/").json()


def approved_run(maker, checker, compute, **kwargs) -> dict:
    run = computed_run(maker, compute, **kwargs)
    response = checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {"note": "checked"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def export_csv(client, run_id) -> list[list[str]]:
    response = client.post(f"/api/v1/payout-runs/{run_id}/export/", {"format": "csv"}, format="json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def return_file(rows: list[list[str]], header=("batch_ref", "line_ref", "amount", "result", "reason")) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    data.name = "returns.csv"
    return data


# --- Requesting and reading runs -----------------------------------------------------------------------


def test_a_run_is_accepted_with_202_and_the_same_request_gives_it_again_with_200(cases, maker, checker):
    first = maker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json")
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "queued" and isinstance(body["id"], int)
    again = checker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert PayoutRun.objects.count() == 1


def test_a_run_reads_as_api_md_says(cases, maker, compute):
    run = computed_run(maker, compute)
    assert {"id", "scheme", "period", "status", "line_count", "total_amount", "progress"} <= set(run)
    assert (run["scheme"], run["period"], run["status"], run["progress"]) == ("dibao", "2020-04", "computed", 100)
    # (940×3 − 500) + (760×2 − 0) + (940 − 100)
    assert (run["line_count"], run["total_amount"]) == (3, "4680.00")


def test_lines_are_paginated_with_beneficiary_household_amount_and_status(cases, maker, compute):
    run = computed_run(maker, compute)
    page = maker.get(f"/api/v1/payout-runs/{run['id']}/lines/?page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    rest = maker.get(page["next"]).json()["results"]
    assert len(rest) == 1
    line = next(r for r in page["results"] + rest if r["household"] == cases[0].household_id)
    assert {"beneficiary", "household", "amount", "status"} <= set(line)
    assert line["status"] == "pending"
    assert line["amount"] == "2320.00"
    assert line["household"] == cases[0].household_id and line["beneficiary"] == cases[0].household.head_id
    assert "940" in line["explanation"]


def _counts_lines(queries) -> bool:
    return any("count(" in q["sql"].lower() and "payouts_payoutline" in q["sql"] for q in queries)


def test_a_city_wide_reader_pages_a_computed_run_without_counting_its_lines_each_time(cases, maker, compute):
    run = computed_run(maker, compute)
    with CaptureQueriesContext(connection) as queries:
        page = maker.get(f"/api/v1/payout-runs/{run['id']}/lines/?page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["previous"]
    assert not _counts_lines(queries)


def test_line_counts_stay_exact_where_the_run_cannot_say(cases, maker, compute):
    run = computed_run(maker, compute)
    url = f"/api/v1/payout-runs/{run['id']}/lines/"
    with CaptureQueriesContext(connection) as queries:
        district = maker.get(f"{url}?division=370211").json()
    assert district["count"] == 1 and len(district["results"]) == 1
    assert _counts_lines(queries)
    assert maker.get(f"{url}?status=failed").json()["count"] == 0
    # A run whose lines are not final is counted line by line, whatever its running total says.
    PayoutRun.objects.filter(pk=run["id"]).update(status="computing", line_count=1)
    assert maker.get(url).json()["count"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheme": "lottery", "period": "2020-04"}, "scheme"),
        ({"scheme": "dibao", "period": "2020-13"}, "period"),
        ({"scheme": "dibao", "period": "April"}, "period"),
        ({"scheme": "dibao"}, "period"),
        ({"scheme": "dibao", "period": "1900-01"}, "period"),
        ({"scheme": "dibao", "period": "1999-12"}, "period"),
    ],
)
def test_bad_requests_are_field_errors(cases, maker, body, field):
    response = maker.post("/api/v1/payout-runs/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_future_month_is_refused(cases, maker):
    future = add_months(current_month(), 2)
    response = maker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": f"{future:%Y-%m}"}, format="json")
    assert response.status_code == 400 and "period" in response.json()


def test_a_price_subsidy_run_needs_a_triggering_index(cases, maker):
    response = maker.post("/api/v1/payout-runs/", {"scheme": "price_subsidy", "period": "2020-04"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "no_price_index"


def test_who_may_start_and_see_runs(cases, api_for, make_staff, maker):
    run = maker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json").json()
    caseworker = api_for(make_staff("caseworker", "370202001"))
    assert (
        caseworker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-03"}, format="json").status_code
        == 403
    )
    assert caseworker.get("/api/v1/payout-runs/").status_code == 403
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(f"/api/v1/payout-runs/{run['id']}/").status_code == 200  # reads, cannot act
    assert leader.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json").status_code == 403
    district_finance = api_for(make_staff("finance", "370202"))
    assert district_finance.get(f"/api/v1/payout-runs/{run['id']}/").status_code == 404  # the city's run
    assert district_finance.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json").status_code == 404


def test_a_district_finance_officer_starts_no_city_run_and_reads_none_by_asking_again(
    cases, api_for, make_staff, maker
):
    district_finance = api_for(make_staff("finance", "370202"))
    before = PayoutRun.objects.count()
    new = district_finance.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-03"}, format="json")
    assert new.status_code == 403
    assert PayoutRun.objects.count() == before
    run = maker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json").json()
    again = district_finance.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json")
    assert again.status_code == 403
    assert str(run["id"]) not in again.content.decode() and "total" not in again.content.decode()


# --- Approval --------------------------------------------------------------------------------------------


def test_the_starter_may_not_approve_and_a_second_finance_officer_may(cases, maker, checker, compute):
    run = computed_run(maker, compute)
    refused = maker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    assert PayoutRun.objects.get(pk=run["id"]).status == "computed"
    approved = checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {"note": "ok"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_total"] == "4680.00"
    again = checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.fixture
def third(api_for, make_staff):
    return api_for(make_staff("finance", "370200"))


def test_whoever_recomputed_a_run_may_not_approve_it_a_third_officer_may(cases, maker, checker, compute, third):
    run = computed_run(maker, compute)
    recomputed = checker.post(f"/api/v1/payout-runs/{run['id']}/recompute/", {"note": "again"}, format="json")
    assert recomputed.status_code == 200, recomputed.content
    compute(run["id"])
    refused = checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    assert maker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json").status_code == 403
    assert PayoutRun.objects.get(pk=run["id"]).status == "computed"
    assert third.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json").status_code == 200


def test_a_scheduled_run_is_not_approved_by_who_recomputed_it(cases, checker, compute, api_for, make_staff):
    from payouts.services import run_request

    run, _created = run_request(actor=None, scheme="dibao", period="2020-04", origin="schedule")
    compute(run.pk)
    assert checker.post(f"/api/v1/payout-runs/{run.pk}/recompute/", {}, format="json").status_code == 200
    compute(run.pk)
    assert checker.post(f"/api/v1/payout-runs/{run.pk}/approve/", {}, format="json").status_code == 403
    other = api_for(make_staff("finance", "370200"))
    assert other.post(f"/api/v1/payout-runs/{run.pk}/approve/", {}, format="json").status_code == 200


def test_a_run_still_computing_cannot_be_approved(cases, maker, checker):
    run = maker.post("/api/v1/payout-runs/", {"scheme": "dibao", "period": "2020-04"}, format="json").json()
    response = checker.post(f"/api/v1/payout-runs/{run['id']}/approve/", {}, format="json")
    assert response.status_code == 409


# --- The bank file ---------------------------------------------------------------------------------------


def test_an_unapproved_run_is_not_exported(cases, maker, checker, compute):
    run = computed_run(maker, compute)
    response = checker.post(f"/api/v1/payout-runs/{run['id']}/export/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_approved"
    assert not BankExport.objects.exists()


def test_the_bank_file_has_every_line_full_accounts_and_a_control_row_and_is_logged(
    cases, maker, checker, compute, finance
):
    run = approved_run(maker, checker, compute)
    rows = export_csv(maker, run["id"])
    header, body, control = rows[0], rows[1:-1], rows[-1]
    assert header == bankfiles.HEADER
    assert header[:6] == ["批次号", "明细号", "收款人姓名", "开户银行", "银行账号", "金额"]
    assert {r[6] for r in body} == {"最低生活保障（低保）"}  # the scheme's name, not its token
    assert not any(len(cell) == 18 and cell[:17].isdigit() for row in body for cell in row)  # no ID number
    assert len(body) == 3
    assert {r[4] for r in body} == {"6222020000000001", "6222020000000002", "6222020000000003"}
    assert all(r[0] == f"PR{run['id']:08d}" for r in rows[1:])
    assert control[1] == "合计" and control[5] == "4680.00"
    assert sum(Decimal(r[5]) for r in body) == Decimal("4680.00")
    assert PayoutRun.objects.get(pk=run["id"]).status == "exported"
    export = BankExport.objects.get()
    assert (export.actor_id, export.line_count, export.total_amount) == (finance.maker.pk, 3, Decimal("4680.00"))
    assert RevealLog.objects.filter(model="payouts.PayoutRun", object_id=str(run["id"]), field="bank_account").exists()


def test_cells_that_a_spreadsheet_would_evaluate_are_neutralised(cases, maker, checker, compute):
    Household.objects.filter(pk=cases[0].household_id).update(bank_name='=HYPERLINK("http://evil","x")')
    Household.objects.filter(pk=cases[1].household_id).update(bank_name="+cmd|' /C calc'!A0")
    from people.models import Person

    Person.objects.filter(pk=cases[2].household.head_id).update(name="@SUM(1+1)")
    run = approved_run(maker, checker, compute)
    rows = export_csv(maker, run["id"])
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def test_the_xlsx_bank_file_is_a_workbook_with_text_accounts_and_no_formulas(cases, maker, checker, compute):
    Household.objects.filter(pk=cases[0].household_id).update(bank_name="=1+2")
    run = approved_run(maker, checker, compute)
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/export/?file_format=xlsx", {}, format="json")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][4] == "银行账号"
    assert "6222020000000001" in {r[4] for r in rows}
    assert "'=1+2" in {r[3] for r in rows}
    assert not any(isinstance(c, str) and c.startswith("=") for r in rows for c in r)
    assert rows[-1][1] == "合计" and Decimal(str(rows[-1][5])) == Decimal("4680.00")


def test_export_checks_the_control_totals(cases, maker, checker, compute):
    run = approved_run(maker, checker, compute)
    PayoutLine.objects.filter(run_id=run["id"]).order_by("id").first().delete()  # tampered behind the engine
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/export/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "control_totals_mismatch"
    assert PayoutRun.objects.get(pk=run["id"]).status == "approved"
    assert not BankExport.objects.exists()


# --- Bank returns ----------------------------------------------------------------------------------------


def exported(maker, checker, compute) -> tuple[dict, list[list[str]]]:
    run = approved_run(maker, checker, compute)
    rows = export_csv(maker, run["id"])
    return run, rows[1:-1]


def test_a_return_marks_paid_and_failed_lines_and_reconciles_the_run(cases, maker, checker, compute):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines[:2]] + [
        [lines[2][0], lines[2][1], lines[2][5], "失败", "账户已冻结"]
    ]
    response = maker.post(
        f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": return_file(rows)}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["import"]["outcome"], body["import"]["paid"], body["import"]["failed"]) == ("accepted", 2, 1)
    assert body["run"]["status"] == "reconciled"
    failed = PayoutLine.objects.get(pk=int(lines[2][1]))
    assert (failed.status, failed.failure_reason) == ("failed", "账户已冻结")
    assert PayoutLine.objects.filter(run_id=run["id"], status="paid").count() == 2


def test_a_partial_return_keeps_the_run_exported_until_every_line_is_settled(cases, maker, checker, compute):
    run, lines = exported(maker, checker, compute)
    first = [[lines[0][0], lines[0][1], lines[0][5], "paid", ""]]
    url = f"/api/v1/payout-runs/{run['id']}/import-returns/"
    assert maker.post(url, {"file": return_file(first)}, format="multipart").json()["run"]["status"] == "exported"
    # The same row again is no change; the rest settles the run.
    rest = first + [[r[0], r[1], r[5], "success", ""] for r in lines[1:]]
    body = maker.post(url, {"file": return_file(rest)}, format="multipart").json()
    assert body["import"]["unchanged"] == 1 and body["run"]["status"] == "reconciled"


@pytest.mark.parametrize(
    "problem",
    ["other_run", "unknown_line", "wrong_amount", "bad_result", "no_reason", "duplicate", "not_a_number"],
)
def test_a_bad_return_is_refused_whole_with_a_per_row_report(cases, maker, checker, compute, problem):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines]
    bad = {
        "other_run": lambda: rows[1].__setitem__(0, "PR99999999"),
        "unknown_line": lambda: rows[1].__setitem__(1, "999999"),
        "wrong_amount": lambda: rows[1].__setitem__(2, "1.00"),
        "bad_result": lambda: rows[1].__setitem__(3, "maybe"),
        "no_reason": lambda: rows[1].__setitem__(3, "failed"),
        "duplicate": lambda: rows.append(list(rows[0])),
        "not_a_number": lambda: rows[1].__setitem__(1, "abc"),
    }
    bad[problem]()
    response = maker.post(
        f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": return_file(rows)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["file"] and body["errors"]
    assert body["errors"][0]["row"] in (3, 5)  # the header is row 1
    assert not PayoutLine.objects.filter(run_id=run["id"]).exclude(status="pending").exists()
    assert PayoutRun.objects.get(pk=run["id"]).status == "exported"
    assert ReturnImport.objects.get().outcome == "refused"


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary", b"just,some,columns\n1,2,3\n", b"PK\x03\x04not really a zip"],
)
def test_an_unreadable_return_is_refused(cases, maker, checker, compute, content):
    run, _lines = exported(maker, checker, compute)
    upload = io.BytesIO(content)
    upload.name = "returns.csv"
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert not PayoutLine.objects.filter(run_id=run["id"]).exclude(status="pending").exists()


def test_a_return_in_xlsx_with_chinese_headings_is_read(cases, maker, checker, compute):
    run, lines = exported(maker, checker, compute)
    book = Workbook()
    sheet = book.active
    sheet.append(["批次号", "明细号", "金额", "结果", "失败原因"])
    for r in lines:
        sheet.append([r[0], int(r[1]), float(r[5]), "成功", None])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "回盘.xlsx"
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": data}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["run"]["status"] == "reconciled"


def test_a_return_before_export_is_refused(cases, maker, checker, compute):
    run = approved_run(maker, checker, compute)
    response = maker.post(
        f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": return_file([])}, format="multipart"
    )
    assert response.status_code == 409


# --- Follow-up runs --------------------------------------------------------------------------------------


def test_a_follow_up_repays_only_failed_lines_once_the_account_is_corrected(cases, maker, checker, compute):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines[:1]]
    rows += [[r[0], r[1], r[5], "failed", "户名不符"] for r in lines[1:]]
    url = f"/api/v1/payout-runs/{run['id']}/import-returns/"
    assert maker.post(url, {"file": return_file(rows)}, format="multipart").status_code == 200
    refused = maker.post(f"/api/v1/payout-runs/{run['id']}/follow-up/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "nothing_to_repay"  # no account corrected yet
    corrected = PayoutLine.objects.get(pk=int(lines[1][1]))
    Household.objects.filter(pk=corrected.household_id).update(bank_account="6222029999999999")
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/follow-up/", {"note": "account corrected"}, format="json")
    assert response.status_code == 202
    follow_up = response.json()
    assert (follow_up["scheme"], follow_up["period"], follow_up["sequence"]) == ("dibao", "2020-04", 1)
    compute(follow_up["id"])
    repaid = list(PayoutLine.objects.filter(run_id=follow_up["id"]))
    assert [(line.beneficiary_id, line.amount, line.replaces_id) for line in repaid] == [
        (corrected.beneficiary_id, corrected.amount, corrected.pk)
    ]
    # The starter of the follow-up may not approve it either; the other officer does, and the bank file has it.
    assert maker.post(f"/api/v1/payout-runs/{follow_up['id']}/approve/", {}, format="json").status_code == 403
    assert checker.post(f"/api/v1/payout-runs/{follow_up['id']}/approve/", {}, format="json").status_code == 200
    file_rows = export_csv(maker, follow_up["id"])
    assert [r[4] for r in file_rows[1:-1]] == ["6222029999999999"]
    # Nothing more to re-pay for that person; the other failed line still waits for its account.
    again = maker.post(f"/api/v1/payout-runs/{run['id']}/follow-up/", {}, format="json")
    assert again.status_code == 409


def test_a_person_is_never_paid_twice_for_a_month_even_by_a_follow_up(cases, maker, checker, compute):
    run, lines = exported(maker, checker, compute)
    rows = [[r[0], r[1], r[5], "paid", ""] for r in lines]
    maker.post(f"/api/v1/payout-runs/{run['id']}/import-returns/", {"file": return_file(rows)}, format="multipart")
    response = maker.post(f"/api/v1/payout-runs/{run['id']}/follow-up/", {}, format="json")
    assert response.status_code == 409


def test_a_return_file_that_is_a_zip_bomb_is_refused_by_the_shared_upload_checks(cases, maker, checker, compute):
    from tests.core.test_uploads import bomb_xlsx

    run, _lines = exported(maker, checker, compute)
    upload = io.BytesIO(bomb_xlsx(256 * 1024 * 1024))
    upload.name = "returns.csv"  # a workbook is read as one whatever the bank named it
    response = maker.post(
        f"/api/v1/payout-runs/{run['id']}/import-returns/",
        {"file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "zip bomb" in str(response.json())
    assert not PayoutLine.objects.filter(run_id=run["id"]).exclude(status="pending").exists()
