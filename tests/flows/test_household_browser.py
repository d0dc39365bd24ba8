"""A caseworker logs in, registers a household with two members, finds it, sees its history."""

from __future__ import annotations

import datetime

import pytest

from people.models import Household
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_id_number
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_registers_a_household_with_two_members_and_finds_it(page, login, make_staff):
    caseworker = make_staff("caseworker", "370202001")
    head_id = make_id_number("370202", datetime.date(1975, 3, 9), male=True)
    spouse_id = make_id_number("370202", datetime.date(1977, 8, 21), male=False)

    login(caseworker)
    assert "案件" in page.content() or "民政" in page.content()  # Chinese by default

    page.goto("/people/households/new/")
    page.select_option("select[name=community]", OWN_COMMUNITY)
    page.select_option("select[name=area_type]", "urban")
    page.fill("input[name=address]", "八大峡路18号")
    page.fill("input[name=members-0-id_number]", head_id)
    page.fill("input[name=members-0-name]", "赵建国")
    page.select_option("select[name=members-0-relationship]", "head")
    page.click("#add-member")
    page.fill("input[name=members-1-id_number]", spouse_id)
    page.fill("input[name=members-1-name]", "钱秀兰")
    page.select_option("select[name=members-1-relationship]", "spouse")
    page.click("button[type=submit].primary")

    page.wait_for_url("**/people/households/*/")
    assert page.locator("[data-testid=members-count]").inner_text() == "2"
    household = Household.objects.get(head__id_number=head_id)
    assert household.members.count() == 2
    # The full numbers never reach the page.
    assert head_id not in page.content() and spouse_id not in page.content()

    page.goto("/people/households/?q=赵建")
    page.click("text=赵建国")
    page.wait_for_url(f"**/people/households/{household.pk}/")
    history = page.locator("[data-testid=history]").inner_text()
    assert caseworker.username in history
    screenshot(page, "household-detail")


def test_a_wrong_id_number_shows_a_field_error_and_saves_nothing(page, login, make_staff):
    caseworker = make_staff("caseworker", "370202001")
    good = make_id_number("370202", datetime.date(1980, 1, 2))
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    login(caseworker)
    page.goto("/people/households/new/")
    page.select_option("select[name=community]", OWN_COMMUNITY)
    page.fill("input[name=address]", "测试路1号")
    page.fill("input[name=members-0-id_number]", bad)
    page.fill("input[name=members-0-name]", "孙错号")
    page.click("button[type=submit].primary")
    error = page.locator("table.members .error").first.inner_text()
    assert "校验" in error or "check" in error
    assert not Household.objects.exists()
