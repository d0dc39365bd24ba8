"""三权分立: administrator, security officer and auditor are separate roles; the auditor reads the
logs and nothing else; no one grants roles to themselves."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.errors import Forbidden
from core.models import SecurityEvent, User
from core.roles import CAPABILITIES, Cap, Role
from core.services import staff_role_grant
from people.services import person_reveal_id_number, person_update
from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

CITY = "370200"


@pytest.fixture
def auditor(make_staff):
    return make_staff(Role.AUDITOR, CITY)


@pytest.fixture
def officer(make_staff):
    return make_staff(Role.SECURITY_OFFICER, CITY, is_staff=True)


@pytest.fixture
def admin_user(make_staff):
    return make_staff(Role.ADMIN, CITY, is_staff=True, is_superuser=True)


def test_the_three_roles_hold_separate_powers():
    admin, officer, auditor = (CAPABILITIES[r] for r in (Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR))
    assert Cap.AUDIT_VIEW in auditor and Cap.AUDIT_VIEW not in admin | officer
    assert Cap.PRIVILEGED_ROLES_GRANT in officer and Cap.PRIVILEGED_ROLES_GRANT not in admin | auditor
    assert Cap.STAFF_MANAGE in admin and Cap.STAFF_MANAGE not in officer | auditor
    assert auditor == {Cap.AUDIT_VIEW, Cap.SECURITY_LOG_VIEW}  # reads logs, nothing else
    assert not officer & {Cap.PEOPLE_VIEW, Cap.PEOPLE_EDIT, Cap.PEOPLE_REVEAL}


# Pages every signed-in account may open; anything else is refused to an auditor unless it is a log.
COMMON = {
    "home",
    "search",  # the header's search: an auditor finds nothing (no record type is theirs)
    "api-search",
    "my-tasks",  # the work queue: empty for an auditor
    "password-change",
    "login",
    "set_language",
    "api-root",
    "api-schema",
    "api-docs",
    "admin:login",
    "admin:logout",
}
# Reference data everyone signed in reads (api.md): GB/T 2260 divisions, the standards tables.
PUBLIC_REFERENCE = {
    "division-list",
    "division-detail",
    "standard-list",
    "standard-detail",
    "standard-applicable",
    "standard-history",  # when each standard was set and by whom: read beside the table itself
    "relief:standards",
    "donation-disclosure",  # the public list of donations and their uses (《慈善法》 disclosure)
    "charity:disclosure",
}
AUDITOR_PAGES = {"audit-changes", "audit-security", "audit-reveals", "audit-integrity"}


def test_an_auditor_reads_the_logs_and_nothing_else(client, auditor, api_for, caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person_update(actor=caseworker, person=person, name="审计对象")
    person_reveal_id_number(actor=caseworker, person=person, reason="核对")
    client.force_login(auditor)
    api = api_for(auditor)
    for route in all_routes({"pk": str(person.pk), "code": "370202"}):
        response = api.get(route.path) if route.is_api else client.get(route.path)
        if route.name in COMMON | PUBLIC_REFERENCE | AUDITOR_PAGES or route.is_residents:
            continue
        if route.path.startswith("/admin/"):
            assert response.status_code == 302 and "/admin/login/" in response["Location"], route.path
            continue
        assert response.status_code in (403, 404, 405), (route.path, response.status_code)
    for name in AUDITOR_PAGES:
        assert client.get(f"/audit/{'' if name == 'audit-changes' else name.split('-')[1] + '/'}").status_code == 200


def test_the_auditor_searches_changes_by_actor_record_and_time(client, auditor, caseworker, make_staff):
    other = make_staff()
    person = PersonFactory(division_id=OWN_COMMUNITY, id_number="370202199001011237")
    person_update(actor=caseworker, person=person, name="改名一")
    person_update(actor=other, person=person, name="改名二")
    client.force_login(auditor)
    page = client.get("/audit/", {"actor": caseworker.username, "model": "people.Person", "object_id": person.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert "<ins>改名一</ins>" in body and "<ins>改名二</ins>" not in body  # the record itself reads by its name
    today = timezone.localdate()
    assert "改名一" in client.get("/audit/", {"since": today.isoformat(), "until": today.isoformat()}).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    assert "改名一" not in client.get("/audit/", {"since": tomorrow.isoformat()}).content.decode()
    assert "370202199001011237" not in client.get("/audit/").content.decode()  # masked


def test_the_auditor_searches_the_security_and_reveal_logs(client, auditor, caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person_reveal_id_number(actor=caseworker, person=person, reason="入户核查")
    client.post("/login/", {"username": caseworker.username, "password": "Wrong-pass-000"})
    client.force_login(auditor)
    assert "入户核查" in client.get("/audit/reveals/", {"actor": caseworker.username}).content.decode()
    log = client.get("/audit/security/", {"actor": caseworker.username, "kind": "login_failed"})
    assert log.status_code == 200 and caseworker.username in log.content.decode()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.SECURITY_OFFICER])
def test_other_roles_cannot_open_the_audit_pages(role, client, make_staff):
    client.force_login(make_staff(role, "370202001" if role == Role.CASEWORKER else CITY))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/reveals/").status_code == 403


def test_the_security_officer_reads_the_security_log_but_not_the_audit(client, officer):
    client.force_login(officer)
    assert client.get("/audit/security/").status_code == 200
    assert client.get("/audit/").status_code == 403
    assert client.get("/people/").status_code == 403


def test_no_one_grants_a_role_to_themselves(admin_user, officer):
    for actor in (admin_user, officer):
        with pytest.raises(Forbidden):
            staff_role_grant(actor=actor, user=actor, role=Role.LEADER)
    with pytest.raises(Forbidden):
        staff_role_grant(actor=officer, user=officer, role=Role.ADMIN)
    officer.refresh_from_db()
    assert officer.role == Role.SECURITY_OFFICER
    assert SecurityEvent.objects.filter(kind="role_change_refused", user=officer).count() == 2


def test_only_a_security_officer_grants_privileged_roles(admin_user, officer, make_staff):
    leader = make_staff(Role.LEADER, CITY)
    with pytest.raises(Forbidden):
        staff_role_grant(actor=admin_user, user=leader, role=Role.AUDITOR)
    caseworker = make_staff()
    assert staff_role_grant(actor=admin_user, user=caseworker, role=Role.SUBDISTRICT_APPROVER).role == (
        Role.SUBDISTRICT_APPROVER
    )
    granted = staff_role_grant(actor=officer, user=leader, role=Role.AUDITOR)
    assert granted.role == Role.AUDITOR and not granted.is_superuser
    assert SecurityEvent.objects.filter(kind="role_changed", user=leader, actor=officer).exists()


def test_roles_are_granted_by_those_who_may(make_staff):
    auditor, leader = make_staff(Role.AUDITOR, CITY), make_staff(Role.LEADER, CITY)
    with pytest.raises(Forbidden):
        staff_role_grant(actor=auditor, user=leader, role=Role.CASEWORKER)


def test_the_admin_site_refuses_a_change_of_ones_own_role(client, admin_user):
    client.force_login(admin_user)
    page = client.get(f"/admin/core/user/{admin_user.pk}/change/")
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()  # read-only on one's own record
    client.post(
        f"/admin/core/user/{admin_user.pk}/change/",
        {"username": admin_user.username, "role": Role.AUDITOR, "division": CITY, "first_name": ""},
    )
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_the_admin_site_refuses_a_privileged_grant_by_an_administrator(client, admin_user, make_staff):
    target = make_staff(Role.LEADER, CITY)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/core/user/{target.pk}/change/",
        {
            "username": target.username,
            "role": Role.SECURITY_OFFICER,
            "division": CITY,
            "first_name": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal
    target.refresh_from_db()
    assert target.role == Role.LEADER


def test_a_security_officer_changes_a_role_in_the_admin_site(client, officer, make_staff):
    target = make_staff(Role.LEADER, CITY)
    client.force_login(officer)
    response = client.post(
        f"/admin/core/user/{target.pk}/change/", {"role": Role.AUDITOR, "date_joined_0": "2026-01-01"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert target.role == Role.AUDITOR
    assert User.objects.get(pk=officer.pk).role == Role.SECURITY_OFFICER
