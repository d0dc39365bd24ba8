"""Sessions: idle expiry, absolute lifetime, a new key at login, secure cookies in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from core.middleware import SESSION_STARTED_KEY
from core.models import SecurityEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
BASE = Path(__file__).resolve().parents[2]


def test_idle_expiry_is_thirty_minutes_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_a_session_ends_at_its_absolute_lifetime_however_active(client, caseworker):
    client.force_login(caseworker)
    assert client.get("/people/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert SecurityEvent.objects.filter(user=caseworker, kind="session_expired").exists()


def test_a_session_within_its_lifetime_goes_on(client, caseworker):
    client.force_login(caseworker)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get("/people/").status_code == 200


def test_login_issues_a_new_session_key(client, caseworker):
    client.get("/login/")
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/login/", {"username": caseworker.username, "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before and after and before != after
    assert client.get("/people/").status_code == 200


def test_production_cookies_are_secure():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIL_AFFAIRS_DEV"}}
    env.update({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example.gov.cn", "SECURE_SSL": "1"})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civil_affairs.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SAMESITE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True True True True Lax"
