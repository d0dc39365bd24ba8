"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Test-pass-12345"


@pytest.fixture
def browser(live_server, monkeypatch):
    """One Chromium per test: Playwright's sync API runs an event loop in this thread while it
    lives, and Django refuses synchronous ORM calls beside a running loop unless told it is
    safe (it is: the test body is plain synchronous code). Scoping the browser to the test keeps
    that allowance inside browser tests."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium); CI installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


# Every page a browser test visits is watched: a Content-Security-Policy violation (the browser's
# ``securitypolicyviolation`` event), a console error or an uncaught script error fails the test,
# whatever the test itself checks, so every browser test guards the strict policy.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class PageProblems(list):
    """What went wrong in the browser while a test ran (CSP violations, console errors, page errors)."""

    def allow(self, fragment: str) -> None:
        """A test that provokes an error on purpose (a 404 page) names it; the rest still fail the test."""
        self[:] = [p for p in self if fragment not in p]


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(15000)

    def on_console(message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return  # the page's own status (a 404, a lockout's 429): the test's business; subresources still count
        page_problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.append(f"script error on {page.url}: {error}"))
    yield page
    context.close()
    if page_problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(page_problems), pytrace=False)


@pytest.fixture
def login(page):
    def do_login(user, password: str = PASSWORD):
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        return page

    return do_login


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
