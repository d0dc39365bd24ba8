"""Staff accounts page: role changes (never one's own, privileged roles only by a security officer)
and lifting login lockouts before their cool-off (security officers only), each in the security log."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from core.models import SecurityEvent, SecurityEventKind
from core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CITY = "370200"
OFFICE = "10.20.30.40"


@pytest.fixture
def officer(make_staff):
    return make_staff(Role.SECURITY_OFFICER, CITY, is_staff=True)


@pytest.fixture
def admin_user(make_staff):
    return make_staff(Role.ADMIN, CITY, is_staff=True, is_superuser=True)


def _fail_logins(client, username, n, ip=OFFICE):
    for _ in range(n):
        client.post("/login/", {"username": username, "password": "Wrong-pass-000"}, REMOTE_ADDR=ip)


def _login(client, username, ip=OFFICE):
    return client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def test_the_list_shows_accounts_and_which_are_locked(client, officer, caseworker, make_staff):
    colleague = make_staff()
    _fail_logins(client, caseworker.username, settings.AXES_FAILURE_LIMIT)
    client.force_login(officer)
    page = client.get("/staff/").content.decode()
    assert caseworker.username in page and colleague.username in page
    locked = client.get("/staff/", {"locked": "on"}).content.decode()
    assert caseworker.username in locked and colleague.username not in locked


def test_a_security_officer_lifts_an_account_lockout_and_it_is_logged(client, officer, caseworker):
    _fail_logins(client, caseworker.username, settings.AXES_FAILURE_LIMIT)
    assert _login(client, caseworker.username).status_code == 429
    officer_client = client.__class__()
    officer_client.force_login(officer)
    response = officer_client.post("/staff/unlock/", {"username": caseworker.username}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302 and response.url == f"/staff/{caseworker.pk}/"
    event = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert event.actor == officer and event.user == caseworker and event.ip_address == "10.0.0.9"
    assert not AccessAttempt.objects.filter(username=caseworker.username).exists()
    client.logout()
    assert _login(client, caseworker.username).status_code == 302  # in again, before the cool-off


def test_a_security_officer_lifts_an_address_lockout(client, officer, make_staff):
    accounts = [make_staff() for _ in range(3)]
    per_account = settings.AXES_FAILURE_LIMIT - 1  # no account reaches its own limit
    needed = -(-settings.PORTAL_ADDRESS_FAILURE_LIMIT // per_account)
    accounts += [make_staff() for _ in range(max(0, needed - len(accounts)))]
    for account in accounts[:needed]:
        _fail_logins(client, account.username, per_account)
    other = make_staff()
    assert _login(client, other.username).status_code == 429  # the address is locked
    officer_client = client.__class__()
    officer_client.force_login(officer)
    assert OFFICE in officer_client.get("/staff/").content.decode()
    response = officer_client.post("/staff/unlock/", {"address": OFFICE})
    assert response.status_code == 302 and response.url == "/staff/"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED, detail__contains=OFFICE).exists()
    assert _login(client, other.username).status_code == 302


def test_an_administrator_may_not_lift_lockouts(client, admin_user, caseworker):
    _fail_logins(client, caseworker.username, settings.AXES_FAILURE_LIMIT)
    client.force_login(admin_user)
    assert client.get("/staff/").status_code == 200  # sees the accounts (grants roles) …
    response = client.post("/staff/unlock/", {"username": caseworker.username})
    assert response.status_code == 403  # … but lifting a lockout is the security officer's
    assert AccessAttempt.objects.filter(username=caseworker.username).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED).exists()


@pytest.mark.parametrize("role,division", [(Role.CASEWORKER, "370202001"), (Role.AUDITOR, CITY), (Role.LEADER, CITY)])
def test_other_roles_see_no_staff_accounts(client, make_staff, caseworker, role, division):
    client.force_login(make_staff(role, division))
    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/{caseworker.pk}/").status_code == 403
    response = client.post("/staff/unlock/", {"username": caseworker.username})
    assert response.status_code in (403, 405)  # read-only roles are refused unsafe methods outright


def test_unlock_needs_exactly_one_account_or_address(client, officer, caseworker):
    client.force_login(officer)
    assert client.post("/staff/unlock/", {}).status_code == 400
    assert client.post("/staff/unlock/", {"username": caseworker.username, "address": OFFICE}).status_code == 400
    assert client.post("/staff/unlock/", {"username": "nobody-here"}).status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED).exists()


def test_roles_are_changed_from_the_account_page_but_never_ones_own(client, officer, admin_user, caseworker):
    client.force_login(admin_user)
    response = client.post(f"/staff/{caseworker.pk}/", {"role": Role.SUBDISTRICT_APPROVER})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.role == Role.SUBDISTRICT_APPROVER
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED, user=caseworker, actor=admin_user).exists()
    # Own role: refused, nothing changed, the refusal logged.
    response = client.post(f"/staff/{admin_user.pk}/", {"role": Role.SECURITY_OFFICER}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "No one may change their own role" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGE_REFUSED, user=admin_user).exists()
    # A privileged role from an administrator: refused; from the security officer: granted.
    response = client.post(f"/staff/{caseworker.pk}/", {"role": Role.AUDITOR}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Only a security officer grants" in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.role == Role.SUBDISTRICT_APPROVER


def test_a_role_that_does_not_suit_the_division_is_refused_with_a_message(client, officer, caseworker):
    client.force_login(officer)
    response = client.post(f"/staff/{caseworker.pk}/", {"role": Role.LEADER}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "belongs to a division of level" in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.role == Role.CASEWORKER


def test_a_security_officer_grants_a_privileged_role_from_the_page(client, officer, make_staff):
    leader = make_staff(Role.LEADER, CITY)
    client.force_login(officer)
    assert client.post(f"/staff/{leader.pk}/", {"role": Role.AUDITOR}).status_code == 302
    leader.refresh_from_db()
    assert leader.role == Role.AUDITOR
