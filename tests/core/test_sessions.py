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


def test_idle_expiry_is_thirty_minutes_renewed_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_RENEW_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # core.middleware.SessionMiddleware renews instead
    assert "core.middleware.SessionMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _session_writes(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(('UPDATE "django_session"', "INSERT"))]


def test_a_page_read_within_the_minute_writes_no_session(client, caseworker):
    client.force_login(caseworker)
    client.get("/people/")  # the first request after the login stamps the renewal
    before = _session_row(client).expire_date
    assert _session_writes(client, "/people/") == []
    assert _session_row(client).expire_date == before


def test_a_session_last_saved_a_minute_ago_is_renewed(client, caseworker):
    from core.middleware import SESSION_RENEWED_KEY

    client.force_login(caseworker)
    client.get("/people/")
    session = client.session
    session[SESSION_RENEWED_KEY] = int(time.time()) - settings.SESSION_RENEW_SECONDS
    session.save()
    before = _session_row(client).expire_date
    time.sleep(0.01)
    assert len(_session_writes(client, "/people/")) == 1
    assert _session_row(client).expire_date > before
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_an_idle_session_still_ends(client, caseworker):
    """Nobody renews a session past its expiry: 30 idle minutes (fewer requests than saves) end it."""
    import datetime

    from django.utils import timezone

    client.force_login(caseworker)
    assert client.get("/people/").status_code == 200
    row = _session_row(client)
    row.expire_date = timezone.now() - datetime.timedelta(seconds=1)
    row.save()
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/people/").status_code == 302  # and it is not revived by the renewal


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
