"""The admin site under 三权分立 (issue 22 §2): nobody is a Django superuser; each staff-site role sees
only what its capabilities open (core.adminaccess); no API tokens, lockout records, groups or raw
history for anyone; another account's password is set by a security officer only, and every
password set — by anyone — is in the security log.

The matrix walks every model registered on the admin site (today's and later ones) for every role:
its list and its add page, each expected open or refused.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from core import services
from core.models import SecurityEvent, SecurityEventKind, User
from core.roles import Role

pytestmark = pytest.mark.django_db

CITY = "370200"
SCHEDULES = {"periodictask", "crontabschedule", "intervalschedule", "clockedschedule", "solarschedule"}
# What each role's admin site lists (app_label.model); every other registered model is refused.
OPEN = {
    Role.ADMIN: {
        "core.division",
        "core.user",
        "relief.standard",
        "relief.delegation",
        "relief.pricesubsidyrule",
        "relief.priceindex",
        "marriage.office",
        "welfare.incompatibility",
        "placenames.bannedword",
        "datacheck.datasource",
        *(f"django_celery_beat.{m}" for m in SCHEDULES),
    },
    Role.SECURITY_OFFICER: {"core.user", "core.securityevent"},
}
NEVER = {
    "knox.authtoken",
    "core.apitoken",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "auth.group",
}


def _labels() -> list[str]:
    return sorted(m._meta.label_lower for m in admin.site._registry)


def _url(label: str, page: str) -> str | None:
    app_label, model = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model}_{page}")
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR, Role.CASEWORKER, Role.FINANCE])
def test_each_role_sees_on_the_admin_site_only_what_its_capabilities_open(client, make_staff, role):
    division = CITY if role != Role.CASEWORKER else "370202001"
    user = make_staff(role, division, is_staff=role in (Role.ADMIN, Role.SECURITY_OFFICER))
    assert not user.is_superuser
    client.force_login(user)
    labels = _labels()
    assert NEVER & set(labels) <= {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "auth.group"}
    opened = OPEN.get(role, set())
    checked = 0
    for label in labels:
        url = _url(label, "changelist")
        if url is None:
            continue
        status = client.get(url).status_code
        checked += 1
        if role not in OPEN:
            assert status == 302, (label, status)  # not a staff-site role: sent to the login page
        elif label in opened:
            assert status == 200, (label, status)
        else:
            assert status == 403, (label, status)
            add = _url(label, "add")
            if add:
                assert client.get(add).status_code == 403, label
    assert checked >= 15
    index = client.get("/admin/")
    if role in OPEN:
        body = index.content.decode()
        for label in NEVER:
            assert f"/admin/{label.replace('.', '/')}/" not in body


def test_the_administrator_is_no_superuser_whoever_made_it(divisions):
    officer = services.staff_create(
        username="so1", role="security_officer", division_code=CITY, password="Harbour-Light-77"
    )
    made = services.staff_create(username="adm1", role="admin", division_code=CITY, password="Harbour-Light-77")
    assert not made.is_superuser and made.is_staff
    finance = services.staff_create(username="fin1", role="finance", division_code=CITY, password="Harbour-Light-77")
    granted = services.staff_role_grant(actor=officer, user=finance, role="admin")
    assert granted.role == "admin" and not granted.is_superuser
    assert not User.objects.filter(is_superuser=True).exists()


def test_the_administrator_may_not_set_another_accounts_password(client, make_staff):
    admin_user = make_staff(Role.ADMIN, CITY, is_staff=True)
    officer = make_staff(Role.SECURITY_OFFICER, CITY, is_staff=True)
    before = officer.password
    client.force_login(admin_user)
    url = f"/admin/core/user/{officer.pk}/password/"
    assert client.get(url).status_code == 403
    body = {"password1": "Harbour-Light-77", "password2": "Harbour-Light-77", "usable_password": "true"}
    assert client.post(url, body).status_code == 403
    officer.refresh_from_db()
    assert officer.password == before


def test_a_security_officers_reset_is_in_the_security_log_and_must_be_changed(client, make_staff):
    officer = make_staff(Role.SECURITY_OFFICER, CITY, is_staff=True)
    target = make_staff()
    client.force_login(officer)
    body = {"password1": "Harbour-Light-77", "password2": "Harbour-Light-77", "usable_password": "true"}
    assert client.post(f"/admin/core/user/{target.pk}/password/", body).status_code == 302
    target.refresh_from_db()
    assert target.must_change_password and target.check_password("Harbour-Light-77")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_SET, user=target)
    assert event.actor == officer
    assert client.get(f"/admin/core/user/{officer.pk}/password/").status_code == 403  # not one's own


def test_every_password_set_is_in_the_security_log(client, make_staff, divisions):
    from django.core.management import call_command

    call_command(
        "create_staff", "cmd1", "--role", "caseworker", "--division", "370202001", "--password", "Harbour-Light-77"
    )
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_SET, username="cmd1").exists()
    admin_user = make_staff(Role.ADMIN, CITY, is_staff=True)
    client.force_login(admin_user)
    made = client.post(
        "/admin/core/user/add/",
        {
            "username": "made_in_admin",
            "role": "caseworker",
            "division": "370202001",
            "password1": "Harbour-Light-77",
            "password2": "Harbour-Light-77",
            "usable_password": "true",
        },
    )
    assert made.status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_SET, username="made_in_admin")
    assert event.actor == admin_user
    user = User.objects.get(username="made_in_admin")
    services.staff_password_change(actor=user, user=user, new_password="Another-pass-6789")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=user).exists()
