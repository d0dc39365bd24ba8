"""In a real browser: a caseworker registers an orphan from the child's page (which shows the child
supervisor), the sub-district reviews, the district approves; the child's death is then recorded and
the allowance ends by itself, listed on the changes page."""

from __future__ import annotations

import re

import pytest

from core.cases import local_today
from relief.services import standards_seed
from tests.conftest import OWN_SUBDISTRICT
from tests.flows.conftest import screenshot
from tests.welfare.conftest import born_years_ago, make_person
from welfare.demo import welfare_standards_seed
from welfare.models import OrphanCase
from welfare.services import child_supervisor_appoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def test_an_orphan_is_registered_approved_and_ends_by_itself_on_death(page, login, make_staff):
    standards_seed(demo=True)
    welfare_standards_seed()
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    reviewer = make_staff("subdistrict_approver", OWN_SUBDISTRICT)
    approver = make_staff("district_approver", OWN_SUBDISTRICT[:6])
    child_supervisor_appoint(actor=approver, subdistrict=OWN_SUBDISTRICT, name="赵督导", phone="0532-1234567")
    child = make_person(birth=born_years_ago(9), created_by=caseworker)

    login(caseworker)
    page.goto(f"/people/{child.pk}/")
    assert "赵督导" in page.inner_text("[data-testid=child-supervisor]")
    page.click("[data-testid=person-welfare]")
    page.click("[data-testid=apply-orphan]")
    page.check("input[name=category][value=community]")
    page.fill("#id_guardian", "王秀英")
    page.fill("#id_guardian_relationship", "祖母")
    page.click("form button.primary")
    page.wait_for_url(re.compile(r".*/welfare/orphans/\d+/$"))
    case = OrphanCase.objects.get(person=child)
    assert case.status == "submitted"
    screenshot(page, "welfare-orphan-submitted")
    log_out(page)

    login(reviewer)
    page.click("nav.mainnav >> text=福利")
    page.click("[data-testid=queue-link]")
    page.click(f"[data-testid=orphan-queue] >> text='{case.pk}'")
    page.fill("#id_review-note", "材料齐全")
    page.click("[data-testid=action-review] button")
    page.wait_for_selector(".msg-success")
    log_out(page)

    login(approver)
    page.goto(f"/welfare/orphans/{case.pk}/")
    page.click("[data-testid=action-approve] button")
    page.wait_for_selector(".msg-success")
    case.refresh_from_db()
    assert case.status == "active"
    log_out(page)

    login(caseworker)
    page.goto(f"/people/{child.pk}/")
    page.click("[data-testid=record-death]")
    page.fill("#id_death_date", local_today().isoformat())
    page.fill("#id_note", "医院出具死亡证明")
    page.click("form button.danger")
    page.wait_for_url(re.compile(rf".*/people/{child.pk}/$"))
    case.refresh_from_db()
    assert case.status == "terminated"
    page.goto("/welfare/changes/")
    assert child.name in page.inner_text("[data-testid=eligibility-changes]")
    screenshot(page, "welfare-eligibility-changes")
    page.goto(f"/welfare/orphans/{case.pk}/")
    assert "医院出具死亡证明" in page.inner_text("[data-testid=timeline]")
    screenshot(page, "welfare-orphan-ended")
