"""Browser forms: field errors in the user's language, nothing saved on bad input."""

from __future__ import annotations

import pytest

from people.models import Household, HouseholdMember, Person
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db


def _household_post(members, community=OWN_COMMUNITY, **extra):
    data = {
        "community": community,
        "address": "测试路9号",
        "area_type": "urban",
        "bank_name": "",
        "bank_account": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
    }
    for i, (number, name, rel) in enumerate(members):
        data.update({f"members-{i}-id_number": number, f"members-{i}-name": name, f"members-{i}-relationship": rel})
    data.update(extra)
    return data


def test_register_household_creates_new_people_and_reuses_known_ones(client, caseworker):
    known = PersonFactory(division_id="370202001", name="周知")
    client.force_login(caseworker)
    new = make_id_number()
    response = client.post(
        "/people/households/new/",
        _household_post([(new, "吴新", "head"), (known.id_number, "周知", "spouse")]),
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.head.id_number == new
    assert set(household.members.values_list("person__name", flat=True)) == {"吴新", "周知"}
    known.refresh_from_db()
    assert known.division_id == OWN_COMMUNITY


def test_a_wrong_check_character_is_a_chinese_field_error_by_default(client, caseworker):
    client.force_login(caseworker)
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post("/people/new/", {"id_number": bad, "name": "张三"})
    assert response.status_code == 200
    assert "身份号码校验位错误" in response.content.decode()
    assert not Person.objects.filter(name="张三").exists()


def test_the_same_error_in_english_on_request(client, caseworker):
    client.force_login(caseworker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post("/people/new/", {"id_number": bad, "name": "张三"})
    assert "The check character of this ID number is wrong" in response.content.decode()


def test_an_over_long_name_is_a_field_error(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/people/new/", {"id_number": make_id_number(), "name": "长" * 51})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Person.objects.exists()


def test_registering_a_person_twice_is_a_clear_error(client, caseworker):
    person = PersonFactory(division_id="370202001")
    client.force_login(caseworker)
    response = client.post("/people/new/", {"id_number": person.id_number, "name": "重复"})
    assert response.status_code == 200
    assert "已登记" in response.content.decode()
    assert Person.objects.count() == 1


def test_a_household_outside_ones_area_saves_nothing(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        "/people/households/new/",
        _household_post([(make_id_number(), "外区", "head")], community=OTHER_DISTRICT_COMMUNITY),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["community"]
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_household_without_a_head_saves_nothing(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/people/households/new/", _household_post([(make_id_number(), "无户主", "child")]))
    assert response.status_code == 200
    assert "户主" in response.content.decode()
    assert not Person.objects.exists()


def test_a_failure_on_the_second_member_leaves_no_first_member_behind(client, caseworker):
    taken = make_household(community=OWN_COMMUNITY)
    client.force_login(caseworker)
    first = make_id_number()
    response = client.post(
        "/people/households/new/",
        _household_post([(first, "先登记", "head"), (taken.head.id_number, taken.head.name, "spouse")]),
    )
    assert response.status_code == 200
    assert not Person.objects.filter(id_number=first).exists()
    assert Household.objects.count() == 1


def test_add_and_remove_a_member(client, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    client.force_login(caseworker)
    number = make_id_number()
    client.post(
        f"/people/households/{household.pk}/members/",
        {"add-id_number": number, "add-name": "新成员", "add-relationship": "child"},
    )
    member = HouseholdMember.objects.get(person__id_number=number)
    assert member.household == household
    client.post(f"/people/households/{household.pk}/members/{member.pk}/remove/")
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()


def test_the_head_cannot_be_removed(client, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    head_member = household.members.get(relationship="head")
    client.force_login(caseworker)
    client.post(f"/people/households/{household.pk}/members/{head_member.pk}/remove/")
    assert HouseholdMember.objects.filter(pk=head_member.pk).exists()


def test_a_reveal_needs_a_reason_and_shows_the_number_once(client, caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    client.force_login(caseworker)
    client.post(f"/people/{person.pk}/reveal/", {"reason": ""})
    assert person.id_number not in client.get(f"/people/{person.pk}/").content.decode()
    client.post(f"/people/{person.pk}/reveal/", {"reason": "核对身份"})
    assert person.id_number in client.get(f"/people/{person.pk}/").content.decode()
    assert person.id_number not in client.get(f"/people/{person.pk}/").content.decode()


def test_search_by_exact_id_number_and_by_name_prefix(client, caseworker):
    a = PersonFactory(division_id=OWN_COMMUNITY, name="欧阳明")
    PersonFactory(division_id=OWN_COMMUNITY, name="李四")
    client.force_login(caseworker)
    by_name = [p.pk for p in client.get("/people/?q=欧阳").context["page"]]
    by_number = [p.pk for p in client.get(f"/people/?q={a.id_number}").context["page"]]
    assert by_name == [a.pk] and by_number == [a.pk]


def test_lists_cap_their_count(client, caseworker, monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination.CappedPaginator, "cap", 3)
    for _ in range(5):
        PersonFactory(division_id=OWN_COMMUNITY)
    client.force_login(caseworker)
    page = client.get("/people/").context["page"]
    assert page.paginator.capped and page.paginator.count == 4
