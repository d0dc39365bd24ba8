"""The resident site's sign-in: phone, code, a short session of its own."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PHONE = "13800001111"


def _sign_in(client, sms_log, phone=PHONE):
    assert client.post("/public/login/", {"phone": phone}).status_code == 302
    return client.post("/public/login/code/", {"code": sms_log.last_code()})


def test_sign_in_with_a_code_opens_the_site(client, sms_log):
    assert client.get("/public/")["Location"] == "/public/login/"
    answer = _sign_in(client, sms_log)
    assert answer.status_code == 302 and answer["Location"] == "/public/"
    page = client.get("/public/")
    assert page.status_code == 200
    assert "138****1111" in page.content.decode()
    assert PHONE not in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")


def test_a_wrong_code_shows_the_form_again(client, sms_log):
    client.post("/public/login/", {"phone": PHONE})
    code = sms_log.last_code()
    answer = client.post("/public/login/code/", {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert answer.status_code == 200
    assert client.get("/public/").status_code == 302


def test_a_bad_phone_is_a_form_error(client, sms_log):
    answer = client.post("/public/login/", {"phone": "12"})
    assert answer.status_code == 200
    assert "11" in answer.content.decode()


def test_the_session_ends_after_idle_minutes(client, sms_log, settings):
    import time

    _sign_in(client, sms_log)
    session = client.session
    session["_resident_seen"] = int(time.time()) - settings.RESIDENT_SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    assert client.get("/public/").status_code == 302


def test_the_session_ends_after_its_absolute_lifetime(client, sms_log, settings):
    import time

    _sign_in(client, sms_log)
    session = client.session
    session["_resident_started"] = int(time.time()) - settings.RESIDENT_SESSION_ABSOLUTE_MINUTES * 60 - 5
    session.save()
    assert client.get("/public/").status_code == 302


def test_sign_out_ends_the_session(client, sms_log):
    _sign_in(client, sms_log)
    client.post("/public/logout/")
    assert client.get("/public/").status_code == 302


def test_the_site_checks_csrf(sms_log):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/public/login/", {"phone": PHONE}).status_code == 403
