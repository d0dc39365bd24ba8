"""In a real browser, role by role through the real pages: each home is its work queue (the counts are what
waits), the header's search finds people by a fragment of their name, a history reads in Chinese with no
identifier-looking token, no page offers a button that answers 403, every date field holds an ISO date, and
(tests/flows/conftest.py) no page breaks the Content-Security-Policy."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from core.worklist import tasks_for
from people.models import Person
from tests.core.test_history import assert_readable
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def demo_city(divisions, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", households=3, stdout=io.StringIO())


def log_out(page) -> None:
    page.click(".topbar form.inline button[type=submit]")
    page.wait_for_url(re.compile(r".*/login/$"))


def dates_are_iso(page) -> None:
    for value in page.eval_on_selector_all("input[type=date]", "els => els.map(e => e.value)"):
        assert value == "" or ISO.match(value), (page.url, value)


def visit(page, path: str) -> None:
    if path.startswith("#") or "export" in path or re.search(r"\.(xlsx|csv|pdf)(\?|$)", path):
        return  # a download, not a page
    response = page.goto(path)
    if response is None:  # the same page (an anchor)
        return
    assert response.status != 403, path
    assert response.status < 500, path
    dates_are_iso(page)


def test_each_roles_home_is_its_queue_and_no_page_offers_a_forbidden_button(page, login, make_staff, demo_city):
    for role, division in (
        ("subdistrict_approver", "370202001"),
        ("caseworker", "370202001"),
        ("finance", "370200"),
        ("leader", "370200"),
    ):
        user = make_staff(role, division)
        login(user)
        tasks = tasks_for(user)
        for task in tasks:
            assert page.inner_text(f"[data-testid=count-{task.kind}]").strip() == str(task.count)
        if not tasks:
            assert page.locator("[data-testid=nothing-waiting]").count() == 1
        screenshot(page, f"home-{role}")
        menu = page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.getAttribute('href'))")
        lit = page.eval_on_selector_all("nav.mainnav a.active", "els => els.length")
        assert lit == 1
        for path in menu:
            visit(page, path)
            buttons = page.eval_on_selector_all(
                "main a.button, main .tile", "els => els.map(e => e.getAttribute('href')).filter(Boolean)"
            )
            for target in buttons[:6]:
                visit(page, target)
        if tasks:  # the first tile opens the list where that work is done: as many rows as it says
            page.goto("/")
            page.click(f"[data-kind={tasks[0].kind}]")
            page.wait_for_load_state()
            assert page.locator("table.list tbody tr td a").count() >= min(tasks[0].count, 1)
        log_out(page)


def test_the_header_search_finds_a_fragment_and_the_history_reads_in_chinese(page, login, make_staff, demo_city):
    caseworker = make_staff("caseworker", "370202001")
    person = Person.objects.filter(division__code__startswith="370202001").order_by("id").first()
    fragment = person.name[1:3]  # the given name: not the beginning of the name
    login(caseworker)
    page.fill(".header-search input[name=q]", fragment)
    page.press(".header-search input[name=q]", "Enter")
    page.wait_for_url(re.compile(r".*/search/\?qt=.*"))  # posted; the URL carries a token, never the text
    assert page.locator("[data-type=person]").count() == 1
    assert person.name in page.inner_text("[data-type=person]")
    assert person.id_number not in page.content()
    screenshot(page, "search-results")
    page.click(f"[data-type=person] a:has-text('{person.name}')")
    page.wait_for_url(re.compile(rf".*/people/{person.pk}/$"))
    page.click("a.button:has-text('编辑')")
    page.fill("#id_name", person.name + "改")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/people/{person.pk}/$"))
    history = page.inner_text("[data-testid=history]")
    assert "修改" in history and "姓名" in history and person.name + "改" in history
    assert_readable(history, "person history in the browser")
    screenshot(page, "person-history")
