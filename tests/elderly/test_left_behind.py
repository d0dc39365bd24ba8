"""The rural left-behind elderly register, its visits and the visiting rule (overdue list, work queue)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core import worklist
from elderly import services
from elderly.models import LeftBehindElder

pytestmark = pytest.mark.django_db

URL = "/api/v1/left-behind-elderly/"


def _days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def test_a_caseworker_registers_a_rural_elderly_person_and_records_a_visit(api, make_elderly_person):
    person = make_elderly_person()
    created = api.post(URL, {"person": person.pk, "risk": "high"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["person"] == person.pk and body["risk"] == "high" and body["community"] == "370202001001"
    assert body["id_number_masked"] != person.id_number and body["id_number_masked"].endswith(person.id_number[-4:])
    visit = api.post(
        f"{URL}{body['id']}/visits/",
        {"visited_on": _days_ago(2), "visitor": "李社工", "findings": "身体尚可，独居"},
        format="json",
    )
    assert visit.status_code == 201, visit.json()
    assert visit.json()["visitor"] == "李社工"
    listed = api.get(f"{URL}{body['id']}/visits/").json()
    assert listed["count"] == 1 and listed["results"][0]["findings"] == "身体尚可，独居"
    assert api.get(f"{URL}{body['id']}/").json()["last_visited_on"] == _days_ago(2)
    history = api.get(f"{URL}{body['id']}/history/").json()
    assert history["count"] >= 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"area_type": "urban"}, "not_rural"), ({"birth_year": 1975}, "not_elderly")],
)
def test_urban_or_younger_persons_are_refused_409(api, make_elderly_person, kwargs, code):
    person = make_elderly_person(**kwargs)
    response = api.post(URL, {"person": person.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert not LeftBehindElder.objects.exists()


def test_a_person_is_registered_once(api, make_elderly_person):
    person = make_elderly_person()
    assert api.post(URL, {"person": person.pk}, format="json").status_code == 201
    again = api.post(URL, {"person": person.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"


def test_a_dead_person_is_refused(api, make_elderly_person):
    person = make_elderly_person()
    person.death_date = datetime.date(2020, 1, 1)
    person.save()
    response = api.post(URL, {"person": person.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deceased"


def test_someone_outside_ones_geography_is_404(api, api_for, make_staff, make_elderly_person):
    outsider = make_elderly_person(community="370202002001")
    assert api.post(URL, {"person": outsider.pk}, format="json").status_code == 404
    other = make_staff("caseworker", "370202002")
    elder = services.elder_register(actor=other, person=outsider)
    assert api.get(f"{URL}{elder.pk}/").status_code == 404
    refused = api.post(
        f"{URL}{elder.pk}/visits/", {"visited_on": _days_ago(1), "visitor": "某", "findings": "好"}, format="json"
    )
    assert refused.status_code == 404
    assert api.get(URL).json()["count"] == 0


def test_leadership_reads_the_register_but_records_no_visit(api_for, caseworker, make_staff, make_elderly_person):
    elder = services.elder_register(actor=caseworker, person=make_elderly_person())
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(f"{URL}{elder.pk}/").status_code == 200
    response = leader.post(
        f"{URL}{elder.pk}/visits/", {"visited_on": _days_ago(1), "visitor": "某", "findings": "好"}, format="json"
    )
    assert response.status_code == 403
    assert not elder.visits.exists()


def test_bad_visits_are_400_naming_the_field(api, caseworker, make_elderly_person):
    elder = services.elder_register(actor=caseworker, person=make_elderly_person())
    future = api.post(
        f"{URL}{elder.pk}/visits/", {"visited_on": _days_ago(-3), "visitor": "某", "findings": "好"}, format="json"
    )
    assert future.status_code == 400 and "visited_on" in future.json()
    empty = api.post(
        f"{URL}{elder.pk}/visits/", {"visited_on": _days_ago(1), "visitor": "某", "findings": ""}, format="json"
    )
    assert empty.status_code == 400 and "findings" in empty.json()
    assert not elder.visits.exists()


def test_no_visit_to_a_person_who_left_the_register(api, caseworker, make_elderly_person):
    elder = services.elder_register(actor=caseworker, person=make_elderly_person())
    closed = api.post(f"{URL}{elder.pk}/close/", {"reason": "moved"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    response = api.post(
        f"{URL}{elder.pk}/visits/", {"visited_on": _days_ago(1), "visitor": "某", "findings": "好"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert api.post(f"{URL}{elder.pk}/close/", {"reason": "moved"}, format="json").status_code == 409


def test_the_overdue_list_follows_the_risk_intervals(api, caseworker, make_elderly_person):
    def register(risk, last_visit_days_ago):
        elder = services.elder_register(actor=caseworker, person=make_elderly_person(), risk=risk)
        if last_visit_days_ago is not None:
            services.visit_record(
                actor=caseworker,
                elder=elder,
                visited_on=timezone.localdate() - datetime.timedelta(days=last_visit_days_ago),
                visitor="李社工",
                findings="好",
            )
        return elder.pk

    high_late = register("high", 31)
    high_ok = register("high", 30)
    normal_late = register("normal", 91)
    normal_ok = register("normal", 31)
    never = register("normal", None)
    overdue = {e["id"] for e in api.get(f"{URL}?overdue=true").json()["results"]}
    assert overdue == {high_late, normal_late, never}
    assert {high_ok, normal_ok}.isdisjoint(overdue)
    assert api.get(f"{URL}?overdue=true&risk=high").json()["count"] == 1
    assert api.get(URL).json()["count"] == 5


def test_the_intervals_are_configurable(api, caseworker, make_elderly_person, settings):
    elder = services.elder_register(actor=caseworker, person=make_elderly_person(), risk="high")
    services.visit_record(
        actor=caseworker,
        elder=elder,
        visited_on=timezone.localdate() - datetime.timedelta(days=20),
        visitor="李社工",
        findings="好",
    )
    assert api.get(f"{URL}?overdue=true").json()["count"] == 0
    settings.LEFT_BEHIND_VISIT_DAYS_HIGH = 14
    assert api.get(f"{URL}?overdue=true").json()["count"] == 1


def test_an_older_visit_does_not_move_the_last_visit_back(caseworker, make_elderly_person):
    elder = services.elder_register(actor=caseworker, person=make_elderly_person())
    today = timezone.localdate()
    services.visit_record(actor=caseworker, elder=elder, visited_on=today, visitor="甲", findings="好")
    services.visit_record(
        actor=caseworker, elder=elder, visited_on=today - datetime.timedelta(days=40), visitor="乙", findings="补录"
    )
    elder.refresh_from_db()
    assert elder.last_visited_on == today


def test_the_overdue_persons_are_in_the_work_queue_of_those_who_visit(
    api, api_for, caseworker, make_staff, make_elderly_person
):
    services.elder_register(actor=caseworker, person=make_elderly_person(), risk="high")
    tasks = {t["kind"]: t for t in api.get("/api/v1/my/tasks/").json()["items"]}
    assert tasks["left_behind_overdue"]["count"] == 1
    assert tasks["left_behind_overdue"]["link"] == "/elderly/left-behind/?overdue=1"
    leader = make_staff("leader", "370200")
    assert "left_behind_overdue" not in worklist.kinds_for(leader)
    other = make_staff("caseworker", "370202002")
    assert not [t for t in worklist.tasks_for(other) if t.kind == "left_behind_overdue"]
