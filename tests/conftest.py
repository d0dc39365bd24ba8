from __future__ import annotations

import logging
import re

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from core.models import Division
from core.services import divisions_load
from tests.factories import StaffFactory

PASSWORD = "Test-pass-12345"

# Hypothesis's clocks measure the machine, not the code: the suite runs one process per core
# beside live servers, browsers and Celery workers, so generation may be slow and an example may
# take longer than 200 ms without anything being wrong. Every other health check stays on.
hypothesis_settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("suite")

# The geography every scoping test uses:
OWN_SUBDISTRICT = "370202001"  # 八大峡街道, 市南区
OWN_COMMUNITY = "370202001001"
OTHER_SUBDISTRICT = "370202002"  # 云南路街道, same district
OTHER_SUBDISTRICT_COMMUNITY = "370202002001"
OTHER_DISTRICT = "370203"  # 市北区
OTHER_DISTRICT_COMMUNITY = "370203001001"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped divisions once per test database."""
    with django_db_blocker.unblock():
        divisions_load()


@pytest.fixture
def divisions(db):
    """The shipped divisions (reloaded after a transactional test flushed them)."""
    if not Division.objects.filter(code="370200").exists():
        divisions_load()


@pytest.fixture
def make_staff(divisions):
    def make(role: str = "caseworker", division: str = OWN_SUBDISTRICT, **kwargs):
        return StaffFactory(role=role, division_id=division, **kwargs)

    return make


@pytest.fixture
def caseworker(make_staff):
    return make_staff("caseworker", OWN_SUBDISTRICT)


@pytest.fixture
def api(caseworker):
    """An API client logged in as the caseworker (token auth)."""
    return api_client_for(caseworker)


def api_client_for(user) -> APIClient:
    from core.tokens import token_issue

    client = APIClient()
    _token, key = token_issue(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_for():
    return api_client_for


@pytest.fixture
def browser_client(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at Django's production cost takes most of a second per login; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """The application's clock moved forward, as the black-box tests move the server's (libfaketime).

    ``clock.advance(days=8)`` shifts ``django.utils.timezone.now`` — and with it
    ``timezone.localdate()``, the one "today" the application reads; the database's clock
    is left alone, which is the point: nothing may read "today" from it.
    """
    import datetime

    from django.utils import timezone

    real_now = timezone.now

    class Clock:
        offset = datetime.timedelta(0)

        def advance(self, **kwargs) -> None:
            self.offset += datetime.timedelta(**kwargs)
            monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    return Clock()


# --- Residents online: the console SMS gateway's codes, and the benefit standards an accepted case needs

CODE_LINE = re.compile(r"SMS to (\S+): ([0-9]{6})$")


class SmsLog(logging.Handler):
    """What the console gateway wrote to the server log: ``SMS to <masked phone>: <code>`` lines."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def last_code(self) -> str:
        for line in reversed(self.lines):
            match = CODE_LINE.search(line)
            if match:
                return match.group(2)
        raise AssertionError("no code was logged")


@pytest.fixture
def sms_log(settings):
    settings.SMS_GATEWAY = "console"
    handler = SmsLog()
    logger = logging.getLogger("residents.sms")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


@pytest.fixture
def standards(db):
    from relief.services import standards_seed

    standards_seed(demo=True)
