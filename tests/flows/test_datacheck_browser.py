"""In a real browser: the administrator registers a death register, uploads an extract with a bad row
(refused, the line named), then a good one, confirms it and starts a cross-check; the caseworker of the
beneficiary's sub-district finds the hit in the review queue, with its evidence, and confirms it: the
person's tekun ends from the month after the death."""

from __future__ import annotations

import re

import pytest

from core.cases import add_months, local_today, month_start
from datacheck import services as datacheck_services
from datacheck.models import CrossCheckRun, ReviewItem
from relief import services as relief_services
from relief.models import TekunCase
from tests.conftest import OWN_SUBDISTRICT
from tests.factories import review_through_notice
from tests.flows.conftest import screenshot
from tests.welfare.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def test_a_death_register_is_loaded_checked_and_confirmed_in_the_browser(
    page, login, make_staff, tmp_path, monkeypatch
):
    monkeypatch.setattr(datacheck_services, "_enqueue", lambda run_id: None)  # the run is executed below, in-process
    relief_services.standards_seed(demo=True)
    admin = make_staff("admin", "370200")
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    reviewer = make_staff("subdistrict_approver", OWN_SUBDISTRICT)
    approver = make_staff("district_approver", OWN_SUBDISTRICT[:6])
    person = make_person(created_by=caseworker)
    case = relief_services.tekun_case_create(actor=caseworker, person=person, care_level="full", placement="home")
    review_through_notice(case, reviewer=reviewer)
    relief_services.tekun_case_approve(actor=approver, case=case)
    died = local_today()

    login(admin)
    page.click("nav.mainnav a[href='/datacheck/']")
    page.goto("/datacheck/sources/")
    page.fill("#id_department", "公安局")
    page.fill("#id_item", "死亡人员信息")
    page.select_option("#id_effect", "death")
    page.click("[data-testid=source-form] button")
    page.wait_for_url(re.compile(r".*/datacheck/sources/\d+/$"))

    bad = tmp_path / "deaths-bad.csv"
    bad.write_text(f"id_number,event_date\n{person.id_number},{died}\n{person.id_number[:17]}Z,{died}\n")
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=extract-form] button")
    page.wait_for_url(re.compile(r".*/datacheck/extracts/\d+/$"))
    errors = page.inner_text("[data-testid=extract-errors]")
    assert "3" in errors and "id_number" in errors
    assert page.query_selector("[data-testid=commit-form]") is None

    good = tmp_path / "deaths.csv"
    good.write_text(f"id_number,event_date\n{person.id_number},{died}\n")
    page.go_back()
    page.set_input_files("#id_file", str(good))
    page.click("[data-testid=extract-form] button")
    page.wait_for_selector("[data-testid=commit-form]")
    page.click("[data-testid=commit-form] button")
    page.wait_for_selector(".msg-success")
    page.goto("/datacheck/runs/")
    page.click("[data-testid=start-run] button")
    page.wait_for_url(re.compile(r".*/datacheck/runs/\d+/$"))
    run = CrossCheckRun.objects.get()
    datacheck_services.cross_check_run_execute(run_id=run.pk)
    page.reload()
    assert page.inner_text("[data-testid=items-created]").strip() == "1"
    log_out(page)

    login(caseworker)
    page.goto("/datacheck/review/")
    item = ReviewItem.objects.get()
    page.click(f"[data-testid=review-list] >> text='{item.pk}'")
    evidence = page.inner_text("[data-testid=evidence]")
    assert person.name in evidence and person.id_number not in evidence
    assert TekunCase.objects.get(pk=case.pk).status == "active"  # nothing before the confirmation
    screenshot(page, "datacheck-review-item")
    page.fill("[data-testid=confirm-form] textarea", "已向家属核实")
    page.click("[data-testid=confirm-form] button")
    page.wait_for_selector(".msg-success")
    ended = TekunCase.objects.get(pk=case.pk)
    assert ended.status == "terminated" and ended.end_month == add_months(month_start(died), 1)
    page.goto("/datacheck/subdistricts/")
    assert OWN_SUBDISTRICT in page.inner_text("[data-testid=subdistricts]")
