"""In a real browser: bureau leadership opens the dashboard, the ECharts charts render (no CSP
violation), a district is drilled into from the table, and the work summary reads in Chinese."""

from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import finance, payout_standards, staff, world  # noqa: F401
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leadership_opens_the_dashboard_and_the_charts_render(page, login, make_staff, world, page_problems):  # noqa: F811
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    leader = make_staff("leader", "370200")
    login(leader)
    page.click("nav.mainnav a[href='/dashboard/']")
    page.wait_for_url(re.compile(r".*/dashboard/$"))
    page.goto("/dashboard/?from=2020-01&to=2020-03")
    page.wait_for_selector("[data-chart=trend] canvas")
    page.wait_for_selector("[data-chart=split] canvas")
    # One screen: eight headline figures, one figure's trend and split (not a card per figure).
    assert page.locator("[data-testid=dashboard-headline] a").count() == 8
    assert page.locator("[data-figure]").count() == 1
    assert page.locator("[data-chart=trend] canvas").count() == 1
    assert page.locator("[data-chart=split] canvas").count() == 1
    assert page.get_attribute("html", "data-charts-ready") == "2"
    persons = page.locator("[data-figure-row=dibao_persons] td").first.text_content().strip()
    assert page.inner_text("[data-testid=total-dibao_persons]").strip() == persons
    assert page.locator("[data-testid=dashboard-headline]").bounding_box()["y"] < 900  # above the fold
    assert page.locator("[data-testid=dashboard-attention]").bounding_box()["y"] < 900
    # Hovering a bar shows its tooltip, drawn under the strict policy (no inline style injected).
    split = page.locator("[data-chart=split]").first
    box = split.bounding_box()
    for fraction in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(300)
    shown = page.evaluate(
        """() => { const el = document.querySelector('[data-chart=split]');
                   const chart = window.echarts.getInstanceByDom(el);
                   chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
                   return chart.getOption().tooltip[0].renderMode; }"""
    )
    page.wait_for_timeout(500)
    assert shown == "richText"  # on the canvas: a violation would fail the test (tests/flows/conftest.py)
    path = screenshot(page, "dashboard-city")
    print(f"dashboard screenshot: {path}")
    assert path.exists() and path.stat().st_size > 10000

    # A headline figure clicked: its trend and split come into view.
    page.click("[data-testid=tile-marriages]")
    page.wait_for_url(re.compile(r".*figure=marriages.*"))
    page.wait_for_selector("[data-figure=marriages] [data-chart=trend] canvas")

    # Drill into 市南区 from the division list, then one of its sub-districts: the figure stays.
    page.click("[data-testid=dashboard-divisions] a[data-drill='370202']")
    page.wait_for_url(re.compile(r".*division=370202&.*"))
    page.wait_for_selector("[data-chart=split] canvas")
    assert "市南区" in page.inner_text("h1")
    assert "figure=marriages" in page.url
    screenshot(page, "dashboard-district")
    page.click("[data-testid=dashboard-divisions] a[data-drill='370202001']")
    page.wait_for_url(re.compile(r".*division=370202001.*"))
    page.wait_for_selector("[data-chart=trend] canvas")
    assert "370202001" in page.url and page.locator("[data-testid=dashboard-divisions]").count() == 1

    page.goto("/dashboard/?from=2020-01&to=2020-03&division=370202")
    page.click("[data-testid=dashboard-work-summary]")
    page.wait_for_selector("[data-testid=work-summary]")
    assert "共保障城乡低保对象3户" in page.inner_text("[data-testid=work-summary]")

    # Each attention line opens its list.
    page.goto("/dashboard/?from=2020-01&to=2020-03")
    links = page.locator("[data-testid=dashboard-attention] a")
    # One line per kind of the summary's attention (tests/dashboard/test_api.py names the seven).
    assert links.count() == 7
    page.click("[data-attention=paperwork_overdue] a")
    page.wait_for_url(re.compile(r".*overdue=1.*"))
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems

    # The watch itself: an inline style attribute is refused by the policy and reported.
    page.evaluate("() => document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(300)
    assert any("style-src" in p for p in page_problems), page_problems
    page_problems.allow("style-src")  # provoked on purpose; anything else still fails the test
