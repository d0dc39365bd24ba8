"""The API docs page works in a real browser under its Content-Security-Policy."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_swagger_ui_renders_without_csp_violations(page, live_server, make_staff):
    user = make_staff()
    context = page.context
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    context.add_cookies([])  # the docs are reachable when signed in, like the rest of the API
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "Test-pass-12345")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert "Civil Affairs Portal API" in page.inner_text(".swagger-ui .info .title")
    assert not violations, violations
