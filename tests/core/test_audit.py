from __future__ import annotations

import pytest
from pghistory.models import MiddlewareEvents

from core.audit import audit_context, history_of
from people.models import Person
from people.services import person_update
from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory, make_household

pytestmark = pytest.mark.django_db


def test_a_service_change_is_recorded_with_its_actor(caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person_update(actor=caseworker, person=person, name="新名字")
    entry = next(e for e in history_of(person) if e.label == "update")
    assert entry.actor_id == caseworker.pk
    assert entry.changes["name"][1] == "新名字"


def test_a_bulk_update_is_recorded_per_row_with_its_actor(caseworker):
    people = [PersonFactory(division_id=OWN_COMMUNITY) for _ in range(3)]
    with audit_context(caseworker):
        Person.objects.filter(pk__in=[p.pk for p in people]).update(phone="13800000000")
    events = MiddlewareEvents.objects.tracks(*people).filter(pgh_label="update")
    assert events.count() == 3
    assert {e.user_id for e in events} == {caseworker.pk}


def test_an_api_change_is_recorded_with_the_token_user(api, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    assert api.patch(f"/api/v1/households/{household.pk}/", {"address": "新地址"}, format="json").status_code == 200
    entry = next(e for e in history_of(household) if e.label == "update")
    assert entry.actor_id == caseworker.pk
    assert entry.changes["address"] == ("测试路1号", "新地址")


def test_a_browser_change_is_recorded_with_the_session_user(client, caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    client.force_login(caseworker)
    response = client.post(f"/people/{person.pk}/edit/", {"name": "改名", "phone": ""})
    assert response.status_code == 302
    entry = next(e for e in history_of(person) if e.label == "update")
    assert entry.actor_id == caseworker.pk
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "改名" in page and str(caseworker) in page


def test_history_masks_sensitive_values(api, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    api.patch(f"/api/v1/households/{household.pk}/", {"bank_account": "6222000011112222"}, format="json")
    entry = next(e for e in history_of(household) if e.label == "update")
    assert "6222000011112222" not in str(entry.changes)
    assert entry.changes["bank_account"][1].endswith("2222")
