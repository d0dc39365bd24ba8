"""API tokens (django-rest-knox, core/tokens.py): hashed at rest, expiring, and ended — with every
browser session of the account — by a password change, a role change, a deactivation and a
lifted lockout."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core import services
from core.models import ApiToken, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/my/tasks/").status_code


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/people/").status_code == 200
    return client


def _session_ended(client: Client) -> bool:
    response = client.get("/people/")
    return response.status_code == 302 and "/login" in response["Location"]


def test_a_token_is_stored_hashed_and_expires_after_eight_hours(caseworker):
    token = _token(caseworker.username)
    stored = ApiToken.objects.get(user=caseworker)
    assert token not in (stored.digest, stored.token_key) and len(token) >= 64
    lifetime = stored.expiry - stored.created
    assert datetime.timedelta(hours=8) - datetime.timedelta(minutes=1) < lifetime <= datetime.timedelta(hours=8)
    assert settings.REST_KNOX["TOKEN_TTL"] == datetime.timedelta(hours=8)
    assert _api_status(token) == 200


def test_an_expired_token_is_refused(caseworker):
    token = _token(caseworker.username)
    ApiToken.objects.filter(user=caseworker).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _api_status(token) == 401


def test_a_password_change_ends_every_token_and_session(caseworker):
    tokens = [_token(caseworker.username), _token(caseworker.username)]
    browser = _session(caseworker)
    services.staff_password_change(actor=caseworker, user=caseworker, new_password="Another-pass-6789")
    assert [_api_status(t) for t in tokens] == [401, 401]
    assert _session_ended(browser)


def test_a_role_change_ends_every_token_and_session(caseworker, make_staff):
    token = _token(caseworker.username)
    browser = _session(caseworker)
    officer = make_staff("security_officer", "370200")
    services.staff_role_grant(actor=officer, user=caseworker, role="subdistrict_approver")
    assert _api_status(token) == 401
    assert _session_ended(browser)


def test_a_deactivation_ends_every_token_and_session(caseworker):
    token = _token(caseworker.username)
    browser = _session(caseworker)
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    assert _api_status(token) == 401
    assert _session_ended(browser)


def test_a_lifted_lockout_ends_every_token_and_session(caseworker, make_staff):
    token = _token(caseworker.username)
    browser = _session(caseworker)
    officer = make_staff("security_officer", "370200")
    services.lockout_lift(actor=officer, username=caseworker.username)
    assert _api_status(token) == 401
    assert _session_ended(browser)


def test_other_accounts_keep_their_tokens(caseworker, make_staff):
    other = make_staff("caseworker")
    kept = _token(other.username)
    services.staff_password_change(actor=caseworker, user=caseworker, new_password="Another-pass-6789")
    assert _api_status(kept) == 200
