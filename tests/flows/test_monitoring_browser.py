"""In a real browser: the administrator loads a risk extract (a serious illness); the caseworker of the household's
sub-district finds the warning in the work queue, reads the household's chain of assistance, records a medical
expense that puts the household in expenditure hardship, and handles the warning; the leadership sees the
warnings by district. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from core.cases import local_today, month_str
from datacheck import services as datacheck
from datacheck.models import Effect
from monitoring.models import RiskWarning
from people.models import HouseholdMeans
from relief import services as relief_services
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT
from tests.factories import make_household
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def test_a_risk_signal_is_found_worked_and_counted_in_the_browser(page, login, make_staff):
    relief_services.standards_seed(demo=True)
    admin = make_staff("admin", "370200")
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    leader = make_staff("leader", "370200")
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    HouseholdMeans.objects.create(
        household=household, monthly_income="2000.00", as_of=local_today(), recorded_by=caseworker
    )
    source = datacheck.data_source_register(actor=admin, department="市医保局", item="大病患者", effect=Effect.RISK)
    content = f"id_number,event_date,kind,amount\n{household.head.id_number},{local_today()},大病,48000.00\n"
    extract = datacheck.extract_upload(actor=admin, source=source, file_name="risk.csv", content=content.encode())
    datacheck.extract_commit(actor=admin, extract=extract)
    warning = RiskWarning.objects.get()

    login(caseworker)
    task = page.locator("a[href='/monitoring/warnings/?status=open']").first
    assert "1" in task.inner_text()
    screenshot(page, "monitoring-home-queue")
    task.click()
    page.wait_for_url(re.compile(r".*/monitoring/warnings/\?status=open$"))
    assert "患重大疾病" in page.inner_text("[data-testid=warning-list]")
    screenshot(page, "monitoring-warning-list")

    page.goto(f"/people/households/{household.pk}/")
    chain = page.inner_text("[data-testid=assistance-chain]")
    assert "低保边缘" in chain and "48000.00" in chain
    page.click("[data-testid=expense-details] summary")
    page.select_option("#id_expense-kind", "medical")
    page.fill("#id_expense-month", month_str(local_today()))
    page.fill("#id_expense-amount", "600.00")
    page.click("[data-testid=expense-form] button")
    page.wait_for_url(re.compile(rf".*/people/households/{household.pk}/$"))
    assert "支出型困难" in page.inner_text("[data-testid=assistance-chain]")
    screenshot(page, "monitoring-household-chain")

    page.goto("/monitoring/?tier=expenditure")
    listing = page.inner_text("[data-testid=low-income-list]")
    assert household.head.name in listing and f"{household.head.name}户" in listing
    screenshot(page, "monitoring-low-income")

    page.goto(f"/monitoring/warnings/{warning.pk}/")
    page.check("input[name=outcome][value=visited_no_need]")
    page.fill("#id_note", "已入户走访，已告知临时救助政策")
    page.click("[data-testid=handle-form] button")
    page.wait_for_url(re.compile(rf".*/monitoring/warnings/{warning.pk}/$"))
    assert "已走访，无需救助" in page.inner_text("[data-testid=warning-facts]")
    assert page.query_selector("[data-testid=handle-form]") is None
    screenshot(page, "monitoring-warning-handled")
    log_out(page)

    login(leader)
    page.goto("/monitoring/warnings/summary/")
    summary = page.inner_text("[data-testid=warning-summary]")
    assert "市南区" in summary
    screenshot(page, "monitoring-summary")
    page.goto(f"/monitoring/warnings/{warning.pk}/")
    assert page.query_selector("[data-testid=handle-form]") is None
    page.select_option(".lang-switch select", "en")
    page.wait_for_load_state("networkidle")
    page.goto("/monitoring/warnings/summary/")
    assert "Warnings by division" in page.inner_text("h1")
    page.goto("/monitoring/?tier=expenditure")
    assert "Expenditure hardship" in page.inner_text("[data-testid=low-income-list]")
    screenshot(page, "monitoring-low-income-en")


@pytest.fixture
def eager():
    from civil_affairs.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_the_monthly_run_an_at_risk_flag_and_the_dashboard_in_the_browser(page, login, make_staff, eager):
    """The administrator starts this month's run (Celery, eager here); the leader reads its tiers and warnings
    and the dashboard's open warnings by district; the caseworker flags a household at risk with the reason."""
    from monitoring.models import HouseholdExpense

    relief_services.standards_seed(demo=True)
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    leader = make_staff("leader", "370200")
    admin = make_staff("admin", "370200")
    pushed = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    HouseholdMeans.objects.create(
        household=pushed, monthly_income="1000.00", as_of=local_today(), recorded_by=caseworker
    )
    HouseholdExpense.objects.create(
        household=pushed, kind="medical", month=local_today().replace(day=1), amount="300.00", recorded_by=caseworker
    )
    lonely = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)

    login(admin)
    page.goto("/monitoring/runs/")
    screenshot(page, "monitoring-runs")
    page.click("[data-testid=start-run] button")
    page.wait_for_url(re.compile(r".*/monitoring/runs/\d+/$"))
    run_url = page.url
    log_out(page)

    login(leader)
    page.goto(run_url)
    tiers = page.inner_text("[data-testid=run-tiers]")
    assert "支出型困难" in tiers and "低保边缘" in tiers
    assert page.inner_text("[data-testid=warnings-raised]").strip() == "1"
    assert "新出现的刚性支出困难家庭" in page.inner_text("[data-testid=run-raised]")
    screenshot(page, "monitoring-run-done")
    page.goto("/monitoring/warnings/?status=open&kind=expenditure")
    assert "低于低保标准" in page.inner_text("[data-testid=warning-list]")
    screenshot(page, "monitoring-expenditure-warning")
    page.goto("/dashboard/?from=2020-01&to=2020-06")
    attention = page.inner_text("[data-testid=dashboard-attention]")
    assert "待处置的风险预警" in attention
    assert "市南区" in page.inner_text("[data-testid=dashboard-warnings]")
    screenshot(page, "dashboard-warnings")
    log_out(page)

    login(caseworker)
    page.goto(f"/people/households/{lonely.pk}/")
    page.click("[data-testid=at-risk] details summary")
    page.fill("#id_at_risk-reason", "独居，近期失去收入来源，尚未申请救助")
    page.click("[data-testid=at-risk-form] button")
    page.wait_for_url(re.compile(rf".*/people/households/{lonely.pk}/$"))
    assert "独居，近期失去收入来源" in page.inner_text("[data-testid=at-risk]")
    assert "其他困难人员" in page.inner_text("[data-testid=assistance-chain]")
    screenshot(page, "monitoring-at-risk-flagged")
    page.goto("/monitoring/?tier=at_risk")
    assert lonely.head.name in page.inner_text("[data-testid=low-income-list]")
    screenshot(page, "monitoring-at-risk-list")
