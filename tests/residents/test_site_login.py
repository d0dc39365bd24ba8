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


def _session_writes(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    return response, writes


def test_polling_within_the_minute_writes_no_session(client, sms_log):
    _sign_in(client, sms_log)
    client.get("/public/")
    seen = client.session["_resident_seen"]
    for _ in range(3):
        page, writes = _session_writes(client, "/public/")
        assert page.status_code == 200
        assert writes == []  # no UPDATE of the session, no transaction: a read is a read
    assert client.session["_resident_seen"] == seen


def test_the_last_seen_is_written_again_once_a_minute_old(client, sms_log, settings):
    import time

    _sign_in(client, sms_log)
    session = client.session
    session["_resident_seen"] = int(time.time()) - settings.SESSION_RENEW_SECONDS
    session.save()
    page, writes = _session_writes(client, "/public/")
    assert page.status_code == 200
    assert any(w.startswith('UPDATE "django_session"') for w in writes)
    assert client.session["_resident_seen"] >= int(time.time()) - 1


def test_the_idle_timeout_counts_from_the_last_seen_recorded(client, sms_log, settings):
    """Polling keeps a session alive (its last-seen moves on once a minute); a session left idle
    ends at RESIDENT_SESSION_IDLE_MINUTES however the requests before fell within the minute."""
    import time

    _sign_in(client, sms_log)
    idle = settings.RESIDENT_SESSION_IDLE_MINUTES * 60
    session = client.session
    session["_resident_seen"] = int(time.time()) - idle + 30  # idle for nearly the whole time: still open
    session.save()
    assert client.get("/public/").status_code == 200
    assert client.session["_resident_seen"] >= int(time.time()) - 1  # … and the clock started again
    session = client.session
    session["_resident_seen"] = int(time.time()) - idle - 1
    session.save()
    assert client.get("/public/").status_code == 302
    assert client.get("/public/").status_code == 302  # ended: the session was emptied, not renewed


def test_sign_out_within_the_minute_ends_the_session(client, sms_log):
    _sign_in(client, sms_log)
    client.get("/public/")
    client.get("/public/")  # nothing written: the next write is the sign-out's
    client.post("/public/logout/")
    assert client.get("/public/").status_code == 302


def test_a_residents_session_reaches_no_staff_page_or_endpoint(client, sms_log):
    """However little the resident's requests write, their session is no staff session."""
    _sign_in(client, sms_log)
    for _ in range(3):
        assert client.get("/public/").status_code == 200
    for path in ("/", "/people/", "/relief/", "/online-applications/", "/admin/"):
        answer = client.get(path)
        assert answer.status_code == 302 and "login" in answer["Location"], path
    assert client.get("/api/v1/people/").status_code in (401, 403)
    assert client.get("/public/").status_code == 200  # and the resident is still signed in
