"""Login throttling (django-axes): per account, per client address, the API token endpoint too,
every failure and lockout in the security log, and a cool-off rather than a permanent lock."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from core.models import SecurityEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "10.20.30.40"


def _login(client, username, password, ip=OFFICE):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(client, username, password, ip=OFFICE):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_an_account_is_locked_after_repeated_failures_and_the_right_password_is_refused(client, make_staff):
    user = make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "Wrong-pass-000")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # From another address too: the account is locked, not just the pair.
    assert _login(client, user.username, PASSWORD, ip="10.99.0.1").status_code == 429


def test_locking_one_account_does_not_lock_another_at_the_same_address(client, make_staff):
    victim, colleague = make_staff(), make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(client, victim.username, "Wrong-pass-000")
    assert _login(client, victim.username, PASSWORD).status_code == 429
    response = _login(client, colleague.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_address_spraying_many_accounts_is_locked(client, make_staff):
    colleague = make_staff()
    for n in range(settings.PORTAL_ADDRESS_FAILURE_LIMIT):
        _login(client, f"nobody{n}", "Wrong-pass-000")  # one try per name: no account reaches its limit
    assert _login(client, colleague.username, PASSWORD).status_code == 429
    # The same account from another address is fine: it is the address that is locked.
    assert _login(client, colleague.username, PASSWORD, ip="10.99.0.2").status_code == 302


def test_the_token_endpoint_counts_failures_and_answers_a_lockout_in_the_api_shape(client, make_staff):
    user = make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _token(client, user.username, "Wrong-pass-000")
        assert response.status_code == 400 and "non_field_errors" in response.json()
    response = _token(client, user.username, "Wrong-pass-000")
    assert response.status_code == 429 and set(response.json()) == {"detail"}
    response = _token(client, user.username, PASSWORD)
    assert response.status_code == 429 and "token" not in response.json()
    # Browser and API share the count: the browser login is locked too.
    assert _login(client, user.username, PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(client, make_staff):
    user = make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "Wrong-pass-000")
    assert _login(client, user.username, PASSWORD).status_code == 429
    past = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=5)
    AccessAttempt.objects.update(attempt_time=past)
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_failures_and_the_lockout_are_in_the_security_log(client, make_staff):
    user = make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "Wrong-pass-000")
    _login(client, user.username, PASSWORD)
    events = list(SecurityEvent.objects.filter(username=user.username).order_by("id").values_list("kind", flat=True))
    assert events.count("login_failed") == settings.AXES_FAILURE_LIMIT
    assert events.count("locked_out") == 1
    assert events[-1] == "login_refused"
    assert SecurityEvent.objects.filter(username=user.username, ip_address=OFFICE).count() == len(events)


def test_a_successful_login_is_logged_and_clears_the_accounts_failures(client, make_staff):
    user = make_staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "Wrong-pass-000")
    assert _login(client, user.username, PASSWORD).status_code == 302
    assert SecurityEvent.objects.filter(user=user, kind="login").exists()
    assert not AccessAttempt.objects.filter(username=user.username).exists()
