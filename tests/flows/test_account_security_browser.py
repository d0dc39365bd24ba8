"""In a real browser: a demo-like account is made to change its password before anything else;
an account locked by failed logins sees the lockout on the login page (in Chinese)."""

from __future__ import annotations

import pytest
from django.conf import settings

from core.models import User
from tests.flows.conftest import PASSWORD, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit_login(page, username, password):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_flagged_account_changes_its_password_first(page, make_staff):
    user = make_staff("caseworker", "370202001", must_change_password=True)
    _submit_login(page, user.username, PASSWORD)
    page.wait_for_url("**/password/**")
    page.goto("/people/")
    assert "/password/" in page.url  # every page leads back here
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "Harbour-Light-77")
    page.fill("input[name=new_password2]", "Harbour-Light-77")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")
    page.goto("/people/")
    assert "/people/" in page.url and "/password/" not in page.url
    assert not User.objects.get(pk=user.pk).must_change_password
    screenshot(page, "password-changed")


def test_a_locked_account_sees_the_lockout_on_the_login_page(page, make_staff):
    user = make_staff("caseworker", "370202001")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _submit_login(page, user.username, "Wrong-pass-000")
    _submit_login(page, user.username, PASSWORD)
    assert "/login/" in page.url
    assert "锁定" in page.inner_text("[role=alert]")
    screenshot(page, "locked-out")
