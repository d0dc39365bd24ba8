"""Password rules, the forced change for demo and administrator-made accounts, and create_staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.models import SecurityEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt-pw",  # 8 characters
        "alllowercaseletters",  # one class
        "lowercase-and-dashes",  # two classes
        "1234567890123",  # numeric
        "Password123",  # common
        "xx-Wanglei-2024",  # contains the username
    ],
)
def test_weak_passwords_are_refused(password, make_staff):
    user = make_staff(username="wanglei")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize("password", ["Qingdao-2026-mz", "Hai7#shui8#lan", "river-8-MOUNTAIN"])
def test_strong_passwords_pass(password, make_staff):
    validate_password(password, make_staff(username="wanglei"))


def test_a_flagged_account_is_sent_to_the_password_page_until_it_changes(client, make_staff):
    user = make_staff(must_change_password=True)
    client.force_login(user)
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/password/")
    # The session API is closed too, in api.md's error shape.
    api = client.get("/api/v1/people/")
    assert api.status_code == 403 and "detail" in api.json()
    # A new password that breaks the rules is refused, and the flag stays.
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "simple", "new_password2": "simple"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Harbour-Light-77", "new_password2": "Harbour-Light-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Harbour-Light-77")
    assert client.get("/people/").status_code == 200  # the session survived the change
    assert SecurityEvent.objects.filter(user=user, kind="password_changed").exists()


def test_the_token_endpoint_refuses_a_flagged_account_and_serves_others(client, make_staff):
    flagged = make_staff(must_change_password=True)
    plain = make_staff()
    refused = client.post("/api/v1/auth/token/", {"username": flagged.username, "password": PASSWORD})
    assert refused.status_code == 403 and "detail" in refused.json()
    ok = client.post(
        "/api/v1/auth/token/", {"username": plain.username, "password": PASSWORD}, content_type="application/json"
    )
    assert ok.status_code == 200 and set(ok.json()) == {"token"}


def test_create_staff_does_not_force_a_change_unless_asked(divisions, client):
    call_command("create_staff", "api_user", "--role", "caseworker", "--division", "370202001", "--password", PASSWORD)
    call_command(
        "create_staff",
        "new_user",
        "--role",
        "caseworker",
        "--division",
        "370202001",
        "--password",
        PASSWORD,
        "--must-change-password",
    )
    assert not User.objects.get(username="api_user").must_change_password
    assert User.objects.get(username="new_user").must_change_password
    # The black-box API tests' path: create, then use the API at once.
    response = client.post("/api/v1/auth/token/", {"username": "api_user", "password": PASSWORD})
    assert response.status_code == 200


def test_an_account_created_in_the_admin_must_change_its_password(client, make_staff):
    admin = make_staff("admin", "370200", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
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
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="made_in_admin").must_change_password


def test_a_password_set_by_a_security_officer_must_be_changed(client, make_staff):
    officer = make_staff("security_officer", "370200", is_staff=True)
    target = make_staff()
    client.force_login(officer)
    response = client.post(
        f"/admin/core/user/{target.pk}/password/",
        {"password1": "Harbour-Light-77", "password2": "Harbour-Light-77", "usable_password": "true"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password
