"""Residents' sign-in (api.md, "Residents online"): codes, limits, lockout, tokens, sessions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from residents.models import LoginCode, Resident, ResidentToken
from tests.conftest import CODE_LINE

pytestmark = pytest.mark.django_db

PHONE = "13800001111"
CODE_URL = "/api/v1/public/auth/code/"
TOKEN_URL = "/api/v1/public/auth/token/"


def _code(client, phone=PHONE):
    return client.post(CODE_URL, {"phone": phone}, format="json")


def _token(client, code, phone=PHONE):
    return client.post(TOKEN_URL, {"phone": phone, "code": code}, format="json")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_sent_and_exchanged_for_a_token(sms_log):
    client = APIClient()
    assert _code(client).status_code == 202
    assert sms_log.lines[-1].startswith("SMS to 138****1111: ")
    answer = _token(client, sms_log.last_code())
    assert answer.status_code == 200
    assert set(answer.json()) == {"token"}
    resident = Resident.objects.get(phone=PHONE)
    assert ResidentToken.objects.filter(resident=resident).count() == 1


def test_the_log_line_never_holds_the_full_phone(sms_log):
    _code(APIClient())
    assert PHONE not in "\n".join(sms_log.lines)
    assert CODE_LINE.search(sms_log.lines[-1]).group(1) == "138****1111"


def test_codes_are_hashed_at_rest(sms_log):
    _code(APIClient())
    code = sms_log.last_code()
    row = LoginCode.objects.get(phone=PHONE)
    assert code not in row.code_hash and len(row.code_hash) == 64


def test_a_bad_phone_is_400(sms_log):
    answer = _code(APIClient(), phone="1234")
    assert answer.status_code == 400
    assert "phone" in answer.json()


def test_five_codes_an_hour_then_429(sms_log):
    client = APIClient()
    for _i in range(5):
        assert _code(client).status_code == 202
    refused = _code(client)
    assert refused.status_code == 429
    assert refused.json()["detail"]
    assert LoginCode.objects.filter(phone=PHONE).count() == 5
    assert _code(client, phone="13800002222").status_code == 202  # another phone is not limited


def test_the_hourly_limit_ends_after_an_hour(sms_log, clock):
    client = APIClient()
    for _i in range(5):
        _code(client)
    assert _code(client).status_code == 429
    clock.advance(minutes=61)
    assert _code(client).status_code == 202


def test_a_wrong_code_is_400_and_the_right_one_still_works(sms_log):
    client = APIClient()
    _code(client)
    code = sms_log.last_code()
    wrong = _token(client, _wrong(code))
    assert wrong.status_code == 400
    assert "code" in wrong.json()
    assert _token(client, code).status_code == 200


def test_a_code_works_once(sms_log):
    client = APIClient()
    _code(client)
    code = sms_log.last_code()
    assert _token(client, code).status_code == 200
    assert _token(client, code).status_code == 400


def test_an_expired_code_is_refused_and_a_fresh_one_accepted(sms_log, clock):
    client = APIClient()
    _code(client)
    code = sms_log.last_code()
    clock.advance(minutes=5, seconds=1)
    expired = _token(client, code)
    assert expired.status_code == 400
    assert "code" in expired.json()
    _code(client)
    assert _token(client, sms_log.last_code()).status_code == 200


def test_five_wrong_codes_lock_the_phone_for_15_minutes(sms_log, clock):
    client = APIClient()
    _code(client)
    code = sms_log.last_code()
    for _i in range(5):
        assert _token(client, _wrong(code)).status_code == 400
    locked = _token(client, code)  # even the right code
    assert locked.status_code == 429
    assert locked.json()["detail"]
    clock.advance(minutes=14)
    assert _token(client, code).status_code == 429
    clock.advance(minutes=2)
    _code(client)
    assert _token(client, sms_log.last_code()).status_code == 200


def test_four_wrong_codes_do_not_lock(sms_log):
    client = APIClient()
    _code(client)
    code = sms_log.last_code()
    for _i in range(4):
        _token(client, _wrong(code))
    assert _token(client, code).status_code == 200


def test_a_token_ends_after_its_lifetime(resident_api, clock, settings):
    client = resident_api()
    assert client.post("/api/v1/public/auth/logout/").status_code == 204  # the token works …
    client = resident_api()
    clock.advance(minutes=settings.RESIDENT_TOKEN_MINUTES + 1)
    assert client.post("/api/v1/public/auth/logout/").status_code == 401  # … until it ends


def test_logout_ends_the_token(resident_api):
    client = resident_api()
    assert client.post("/api/v1/public/auth/logout/").status_code == 204
    assert client.post("/api/v1/public/auth/logout/").status_code == 401


def test_a_staff_token_is_no_resident_token(api):
    assert api.post("/api/v1/public/auth/logout/").status_code == 401


def test_no_credentials_is_401():
    assert APIClient().post("/api/v1/public/auth/logout/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_hourly_limit_holds_when_requests_race(sms_log, divisions):
    """Ten requests at once for one phone: exactly five codes, five 429s (the advisory lock serialises them)."""
    from django.test import Client

    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def ask():
        try:
            barrier.wait()
            statuses.append(Client().post(CODE_URL, {"phone": PHONE}, content_type="application/json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [202] * 5 + [429] * 5
    assert LoginCode.objects.filter(phone=PHONE).count() == 5


# --- The per-address limit: codes asked for from one client address, any phones ---------------------------


def _phones(n: int, start: int = 0) -> list[str]:
    return [f"1390000{i:04d}" for i in range(start, start + n)]


def test_codes_from_one_address_are_limited_an_hour_whatever_the_phones(sms_log, settings, clock):
    settings.RESIDENT_CODES_PER_ADDRESS_HOUR = 3
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for phone in _phones(3):
        assert _code(client, phone=phone).status_code == 202
    refused = client.post(CODE_URL, {"phone": _phones(1, 3)[0]}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "from this network" in refused.json()["detail"] and "at most 3" in refused.json()["detail"]
    assert not LoginCode.objects.filter(phone=_phones(1, 3)[0]).exists()  # nothing sent, nothing kept
    assert len(sms_log.lines) == 3
    chinese = client.post(CODE_URL, {"phone": _phones(1, 4)[0]}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 429 and "网络" in chinese.json()["detail"]
    # another address is not limited by this one's
    assert _code(APIClient(REMOTE_ADDR="203.0.113.8"), phone=_phones(1, 5)[0]).status_code == 202
    # refusals do not count: an hour after the three codes the address may ask again
    clock.advance(minutes=61)
    assert _code(client, phone=_phones(1, 3)[0]).status_code == 202


def test_the_per_phone_limit_still_holds_under_a_generous_address_limit(sms_log, settings):
    settings.RESIDENT_CODES_PER_ADDRESS_HOUR = 100
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    for _i in range(5):
        assert _code(client).status_code == 202
    refused = client.post(CODE_URL, {"phone": PHONE}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and "one phone" in refused.json()["detail"]


def test_the_site_sign_in_meets_the_address_limit_too(client, sms_log, settings):
    settings.RESIDENT_CODES_PER_ADDRESS_HOUR = 1
    assert client.post("/public/login/", {"phone": _phones(1)[0]}, REMOTE_ADDR="203.0.113.10").status_code == 302
    refused = client.post("/public/login/", {"phone": _phones(1, 1)[0]}, REMOTE_ADDR="203.0.113.10")
    assert refused.status_code == 200  # the form again, with the refusal
    assert "网络" in refused.content.decode()
    assert not LoginCode.objects.filter(phone=_phones(1, 1)[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_address_limit_holds_when_requests_race(sms_log, divisions, settings):
    """Eight phones at once from one address, limit 3: exactly three codes (the address's advisory lock)."""
    from django.test import Client

    settings.RESIDENT_CODES_PER_ADDRESS_HOUR = 3
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def ask(phone):
        try:
            barrier.wait()
            answer = Client(REMOTE_ADDR="203.0.113.11").post(
                CODE_URL, {"phone": phone}, content_type="application/json"
            )
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(phone,)) for phone in _phones(8, 100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [202] * 3 + [429] * 5
    assert LoginCode.objects.filter(phone__in=_phones(8, 100)).count() == 3
