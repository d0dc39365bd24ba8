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
    page.click("[data-testid=assistance-chain] details summary")
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
