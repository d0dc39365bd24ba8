from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from core.models import Division, User
from people.models import Household, Person

pytestmark = pytest.mark.django_db


def test_create_staff_makes_an_account_with_role_and_division(divisions, client):
    call_command("create_staff", "cw1", "--role", "caseworker", "--division", "370202001", "--password", "Pw-123456789")
    user = User.objects.get(username="cw1")
    assert (user.role, user.division_id) == ("caseworker", "370202001")
    assert client.login(username="cw1", password="Pw-123456789")


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "caseworker", "--division", "999999"],  # unknown division
        ["--role", "leader", "--division", "370202001"],  # leadership belongs to the city
        ["--role", "district_approver", "--division", "370202001"],  # a district role at a sub-district
    ],
)
def test_create_staff_refuses_a_division_that_does_not_fit(divisions, args):
    with pytest.raises(CommandError):
        call_command("create_staff", "x1", *args, "--password", "Pw-123456789")
    assert not User.objects.filter(username="x1").exists()


def test_create_staff_refuses_a_taken_username(divisions):
    call_command("create_staff", "dup", "--role", "admin", "--division", "370200", "--password", "Pw-123456789")
    with pytest.raises(CommandError):
        call_command("create_staff", "dup", "--role", "admin", "--division", "370200", "--password", "Pw-123456789")


def test_seed_demo_is_idempotent_and_prints_passwords_once(divisions, capsys, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", households=3)
    first = capsys.readouterr().out
    counts = (Division.objects.count(), User.objects.count(), Person.objects.count(), Household.objects.count())
    call_command("seed_demo", households=3)
    second = capsys.readouterr().out
    assert counts == (Division.objects.count(), User.objects.count(), Person.objects.count(), Household.objects.count())
    assert "demo_caseworker" in first and "Demo-" in first
    assert "Demo-" not in second
    # every role, with two finance officers and two approvers a level
    assert User.objects.filter(username__startswith="demo_").count() == 14
    assert all(User.objects.filter(username__startswith="demo_").values_list("must_change_password", flat=True))
    assert Household.objects.count() == 6


def test_divisions_have_every_district_with_subdistricts_and_communities(divisions):
    districts = Division.objects.filter(level="district")
    assert districts.count() == 10
    for district in districts:
        subs = Division.objects.filter(parent=district, level="subdistrict")
        assert subs.count() >= 2
        for sub in subs:
            assert sub.code.startswith(district.code) and len(sub.code) == 9
            communities = Division.objects.filter(parent=sub, level="community")
            assert communities.count() >= 2
            assert all(c.code.startswith(sub.code) and len(c.code) == 12 for c in communities)


def test_a_division_change_keeps_its_history(divisions):
    from core.audit import history_of

    town = Division.objects.get(name="王台镇")
    town.kind, town.name = "subdistrict", "王台街道"  # 撤镇设街道
    town.save()
    entry = next(e for e in history_of(town) if e.label == "update")
    assert entry.changes["name"] == ("王台镇", "王台街道")


@pytest.mark.parametrize("password", ["123", "password123", "alllowercaseletters", "cw9-Pw"])
def test_create_staff_refuses_a_password_the_forms_refuse_and_creates_nothing(divisions, password):
    with pytest.raises(CommandError):
        call_command("create_staff", "weak1", "--role", "caseworker", "--division", "370202001", "--password", password)
    assert not User.objects.filter(username="weak1").exists()
