"""In a real browser (issue 21): a sub-district approver registers an elderly-care institution, reads it in the
register and enters its operating subsidy; a district approver approves it and proposes a new account; a
finance officer confirms it. No CSP violation or script error on any page (the ``page`` fixture fails the test
on one). Screenshots of the pages go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from elderly.models import ElderlyInstitution, OperatingSubsidy
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def test_an_institution_is_registered_subsidised_and_its_account_corrected_in_the_browser(page, login, make_staff):
    enterer = make_staff("subdistrict_approver", "370202001")
    approver = make_staff("district_approver", "370202")
    finance = make_staff("finance", "370200")

    login(enterer)
    page.goto("/elderly/institutions/")
    assert "养老机构" in page.inner_text("h1")
    page.click("text=登记养老机构")
    page.wait_for_url(re.compile(r".*/elderly/institutions/new/$"))
    page.fill("#id_name", "八大峡颐和养老院")
    page.select_option("#id_kind", "private")
    page.fill("#id_operator", "颐和养老服务有限公司")
    page.fill("#id_beds", "120")
    page.fill("#id_licensed_on", "2018-05-02")
    screenshot(page, "elderly-institution-form")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r".*/elderly/institutions/\d+/$"))
    facts = page.inner_text("dl.facts")
    assert "民办" in facts and "120" in facts and "运营中" in facts
    assert "变更记录" in page.inner_text("[data-testid=history]")
    screenshot(page, "elderly-institution-detail")
    page.goto("/elderly/institutions/")
    assert "八大峡颐和养老院" in page.inner_text("[data-testid=institutions]")
    screenshot(page, "elderly-institution-list")

    home = ElderlyInstitution.objects.get()
    page.goto("/elderly/subsidies/")
    page.select_option("#id_institution", str(home.pk))
    page.fill("#id_period", "2020-04")
    page.fill("#id_amount", "30000.00")
    page.fill("#id_bank_name", "青岛银行")
    page.fill("#id_bank_account", "6222020000771234")
    page.click("text=录入补贴")
    page.wait_for_url(re.compile(r".*/elderly/subsidies/$"))
    assert "八大峡颐和养老院" in page.inner_text("table.list")
    log_out(page)

    login(approver)
    page.goto("/elderly/subsidies/?to_approve=1")
    page.click("table.list button:has-text('批准')")
    page.wait_for_url(re.compile(r".*/elderly/subsidies/$"))
    page.click("table.list summary:has-text('更正账户')")
    page.fill("input[name=bank]", "青岛农商银行")
    page.fill("input[name=account]", "6228480012349876")
    page.fill("input[name=reason]", "机构来函：结算账户变更")
    page.click("button:has-text('提出新账户')")
    page.wait_for_url(re.compile(r".*/elderly/subsidies/$"))
    assert "待确认的新账户" in page.inner_text("[data-testid=pending-correction]")
    log_out(page)

    login(finance)
    page.goto("/elderly/subsidies/?to_confirm=1")
    screenshot(page, "elderly-subsidy-correction-to-confirm")
    page.click("button:has-text('确认新账户')")
    page.wait_for_url(re.compile(r".*/elderly/subsidies/$"))
    assert OperatingSubsidy.objects.get().bank_account == "6228480012349876"
    screenshot(page, "elderly-subsidies-after-confirmation")
