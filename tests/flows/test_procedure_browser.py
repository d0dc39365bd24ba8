"""In a real browser, per scheme: the caseworker records the home investigation, the sub-district's
initial opinion opens the public notice, an objection sends it back, a new investigation and review
open a new notice, and the district decides only once the notice has ended; paid from next month."""

from __future__ import annotations

import datetime
import re

import pytest

from core.cases import add_months, current_month, local_today
from relief import services
from relief.models import DibaoCase, TekunCase
from relief.services import standards_seed
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT
from tests.factories import end_notice, make_household
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def investigate(page) -> None:
    page.fill("#id_investigate-investigated_on", f"{local_today():%Y-%m-%d}")
    page.fill("#id_investigate-investigators", "王伟、李娜")
    page.fill("#id_investigate-findings", "住房简陋，无固定收入")
    page.click("[data-testid=action-investigate] button[type=submit]")
    page.wait_for_selector(".messages")


@pytest.mark.parametrize("scheme", ["dibao", "tekun"])
def test_the_procedure_in_the_browser(page, login, make_staff, scheme):
    standards_seed(demo=True)
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    reviewer = make_staff("subdistrict_approver", OWN_SUBDISTRICT)
    approver = make_staff("district_approver", OWN_SUBDISTRICT[:6])
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    if scheme == "dibao":
        case = services.dibao_case_create(actor=caseworker, household=household, monthly_income="400.00")
    else:
        case = services.tekun_case_create(actor=caseworker, person=household.head, care_level="full", placement="home")
    model = DibaoCase if scheme == "dibao" else TekunCase
    detail = f"/relief/{scheme}/{case.pk}/"

    # The caseworker records the home investigation; the review is not theirs to give.
    login(caseworker)
    page.goto(detail)
    assert page.locator("[data-testid=action-review]").count() == 0
    assert page.locator("[data-testid=decision-due]").count() == 1  # the 30-working-day clock
    investigate(page)
    log_out(page)

    # The sub-district's initial opinion opens the public notice.
    login(reviewer)
    page.goto(detail)
    page.click("[data-testid=action-review] button[type=submit]")
    page.wait_for_selector(".messages")
    assert "公示" in page.inner_text("h1")
    case = model.objects.get(pk=case.pk)
    assert (case.status, case.notice_until) == ("public_notice", local_today() + datetime.timedelta(days=7))
    log_out(page)

    # During the notice the district sees no approve button; it records an objection it received.
    login(approver)
    page.goto(detail)
    assert page.locator("[data-testid=action-approve]").count() == 0
    page.fill("#id_object-note", "邻居反映其有经营收入")
    page.click("[data-testid=action-object] button[type=submit]")
    page.wait_for_selector(".messages")
    assert "需重新入户调查" in page.inner_text("main")
    log_out(page)

    # A new investigation and a new review open a new notice; once it ends the district decides.
    login(caseworker)
    page.goto(detail)
    investigate(page)
    log_out(page)
    login(reviewer)
    page.goto(detail)
    page.click("[data-testid=action-review] button[type=submit]")
    page.wait_for_selector(".messages")
    log_out(page)
    end_notice(model.objects.get(pk=case.pk))  # the 7 days pass
    login(approver)
    page.goto(detail)
    page.fill("#id_approve-note", "同意")
    page.click("[data-testid=action-approve] button[type=submit]")
    page.wait_for_selector(".messages")
    case = model.objects.get(pk=case.pk)
    assert (case.status, case.start_month) == ("active", add_months(current_month(), 1))
    assert f"{case.start_month:%Y-%m}" in page.inner_text("main")
    assert "邻居反映其有经营收入" in page.inner_text("[data-testid=timeline]")
    screenshot(page, f"relief-{scheme}-procedure")
