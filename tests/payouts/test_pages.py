"""Browser pages: run list, run page (progress, review, actions), lines, month overview; refusals beside successes."""

from __future__ import annotations

import csv
import io

import pytest

from payouts.models import PayoutRun
from tests.payouts.conftest import dibao_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_months(payout_standards, staff, finance, compute):
    for _ in range(3):
        dibao_case(created_by=staff)
    dibao_case(community="370211019001", area_type="rural", created_by=staff)
    from payouts.services import run_request

    runs = {}
    for month in ("2020-03", "2020-04"):
        run, _created = run_request(actor=finance.maker, scheme="dibao", period=month)
        compute(run)
        run.refresh_from_db()
        runs[month] = run
    return runs


def test_the_nav_shows_payouts_to_finance_and_not_to_caseworkers(client, finance, make_staff):
    client.force_login(finance.maker)
    assert "/payouts/" in client.get("/").content.decode()
    client.force_login(make_staff("caseworker", "370202001"))
    assert "/payouts/" not in client.get("/").content.decode()
    assert client.get("/payouts/").status_code == 403


def test_a_run_started_from_the_page_is_queued_and_shows_its_progress_bar(client, finance, payout_standards):
    client.force_login(finance.maker)
    page = client.get("/payouts/")
    assert 'data-testid="start-run"' in page.content.decode()
    response = client.post("/payouts/start/", {"scheme": "dibao", "period": "2020-04"})
    run = PayoutRun.objects.get()
    assert response.status_code == 302 and response.url == f"/payouts/runs/{run.pk}/"
    body = client.get(response.url).content.decode()
    assert "<progress" in body and "data-poll" in body and "js/progress.js" in body
    assert "<script>" not in body  # no inline script
    again = client.post("/payouts/start/", {"scheme": "dibao", "period": "2020-04"})
    assert again.url == response.url and PayoutRun.objects.count() == 1


def test_the_review_shows_totals_by_district_and_differences_from_last_month(client, two_months, finance):
    april = two_months["2020-04"]
    client.force_login(finance.checker)
    body = client.get(f"/payouts/runs/{april.pk}/").content.decode()
    assert 'data-testid="by-district"' in body and "市南区" in body and "黄岛区" in body
    assert 'data-testid="diff"' in body
    assert "880.00 → 940.00" in body  # why the amounts changed
    assert 'data-testid="action-approve"' in body


def test_the_maker_is_told_to_find_a_checker_and_gets_403_if_they_try(client, two_months, finance):
    april = two_months["2020-04"]
    client.force_login(finance.maker)
    body = client.get(f"/payouts/runs/{april.pk}/").content.decode()
    assert 'data-testid="action-approve"' not in body
    assert client.post(f"/payouts/runs/{april.pk}/approve/", {"note": ""}).status_code == 403
    april.refresh_from_db()
    assert april.status == "computed"


def test_approve_export_and_import_from_the_pages(client, two_months, finance):
    april = two_months["2020-04"]
    client.force_login(finance.checker)
    assert client.post(f"/payouts/runs/{april.pk}/approve/", {"note": "ok"}).status_code == 302
    response = client.post(f"/payouts/runs/{april.pk}/export/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    returns = io.StringIO()
    writer = csv.writer(returns)
    writer.writerow(["batch_ref", "line_ref", "amount", "result", "reason"])
    for row in rows[1:-1]:
        writer.writerow([row[0], row[1], row[5], "paid", ""])
    upload = io.BytesIO(returns.getvalue().encode())
    upload.name = "returns.csv"
    response = client.post(f"/payouts/runs/{april.pk}/import-returns/", {"file": upload})
    assert response.status_code == 302
    april.refresh_from_db()
    assert april.status == "reconciled"


def test_a_refused_return_shows_its_errors(client, two_months, finance):
    april = two_months["2020-04"]
    client.force_login(finance.checker)
    client.post(f"/payouts/runs/{april.pk}/approve/", {})
    client.post(f"/payouts/runs/{april.pk}/export/", {"format": "csv"})
    upload = io.BytesIO(b"batch_ref,line_ref,result\nPR00000000,1,paid\n")
    upload.name = "wrong.csv"
    response = client.post(f"/payouts/runs/{april.pk}/import-returns/", {"file": upload}, follow=True)
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body and "PR00000000" in body


def test_lines_and_month_pages(client, two_months, finance):
    april = two_months["2020-04"]
    client.force_login(finance.maker)
    lines = client.get(f"/payouts/runs/{april.pk}/lines/?division=370211").content.decode()
    assert 'data-testid="lines"' in lines and "760.00" in lines
    month = client.get("/payouts/months/2020-04/").content.decode()
    assert 'data-testid="month-matrix"' in month and "黄岛区" in month
    assert client.get("/payouts/months/2020-13/").status_code == 404


def test_the_pages_are_in_english_too(client, two_months, finance):
    client.force_login(finance.maker)
    body = client.get(f"/payouts/runs/{two_months['2020-04'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Totals by district" in body


def test_a_district_finance_officer_does_not_find_the_citys_runs(client, two_months, make_staff):
    client.force_login(make_staff("finance", "370202"))
    assert client.get(f"/payouts/runs/{two_months['2020-04'].pk}/").status_code == 404


def test_a_run_stuck_past_its_time_can_be_restarted_from_its_page(client, payout_standards, finance, settings):
    import datetime

    from django.utils import timezone

    from payouts.services import run_request

    run, _created = run_request(actor=finance.maker, scheme="dibao", period="2020-04")
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    PayoutRun.objects.filter(pk=run.pk).update(status="computing", heartbeat_at=long_ago, chunks_total=10)
    settings.JOBS_STALE_SECONDS = 15 * 60
    client.force_login(finance.checker)
    body = client.get(f"/payouts/runs/{run.pk}/").content.decode()
    assert 'data-testid="action-restart"' in body and "banner" in body
    assert client.post(f"/payouts/runs/{run.pk}/restart/", {"note": "worker lost"}).status_code == 302
    run.refresh_from_db()
    assert run.status == "queued"
    assert run.events.filter(action="restart", actor=finance.checker, note="worker lost").exists()
