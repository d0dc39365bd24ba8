"""In a real browser: a caseworker files a small temporary-relief claim, the sub-district approver
approves it from its queue, and the household's usage shows it."""

from __future__ import annotations

import re

import pytest

from relief.models import TemporaryReliefClaim
from relief.services import standards_seed
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT
from tests.factories import make_household
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def test_caseworker_files_a_small_claim_and_the_subdistrict_approves_it_from_its_queue(page, login, make_staff):
    standards_seed(demo=False)  # the annual cap and the small-claim threshold (1000.00): the database was flushed
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    approver = make_staff("subdistrict_approver", OWN_SUBDISTRICT)
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)

    # The caseworker files the claim from the household's page.
    login(caseworker)
    page.goto(f"/people/households/{household.pk}/")
    page.click("[data-testid=household-relief]")
    page.click("[data-testid=apply-claim]")
    page.fill("#id_amount", "800.00")
    page.select_option("#id_kind", "urgent")
    page.fill("#id_reason", "家中失火，急需生活用品")
    page.click("#claim-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/relief/claims/\d+/$"))
    claim = TemporaryReliefClaim.objects.get()
    assert (claim.status, claim.amount, claim.created_by_id) == ("submitted", 800, caseworker.pk)
    assert "已提交" in page.inner_text("h1")  # Chinese by default
    log_out(page)

    # The sub-district approver approves it from the queue, with a note.
    login(approver)
    page.click("nav.mainnav >> text=社会救助")
    page.click("[data-testid=queue-link]")
    page.check(f"input[name=claims][value='{claim.pk}']")
    page.fill("#bulk-note", "情况属实，同意救助")
    page.click("[data-testid=approve-selected]")
    page.wait_for_selector("[data-testid=bulk-results]")
    assert page.locator("tr.result-ok").count() == 1
    assert page.locator("tr.result-refused").count() == 0
    claim.refresh_from_db()
    assert (claim.status, claim.approved_by_id, claim.approval_level) == ("approved", approver.pk, "subdistrict")

    # The household's usage shows it, and the claim's timeline the approver's note.
    page.goto(f"/relief/households/{household.pk}/")
    assert page.inner_text("[data-testid=usage-used]").strip() == "800.00"
    assert page.inner_text("[data-testid=usage-cap]").strip() == "30000.00"
    assert page.inner_text("[data-testid=usage-remaining]").strip() == "29200.00"
    screenshot(page, "relief-household-usage")
    page.goto(f"/relief/claims/{claim.pk}/")
    assert "情况属实，同意救助" in page.inner_text("[data-testid=timeline]")
