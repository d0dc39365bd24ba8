"""Residents book marriage and divorce registrations online (api.md, "Residents online"), against the
offices' daily capacity that registrars set, the same capacity as the counter's bookings."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marriage import services
from marriage.models import Appointment
from residents.auth import token_issue
from residents.models import Resident
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/marriage-appointments/"


@pytest.fixture
def resident_client(divisions):
    def make(phone: str = "13800001111") -> APIClient:
        resident = Resident.objects.create(phone=phone)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(resident=resident)}")
        client.resident = resident
        return client

    return make


def weekday_after(days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


MAN = make_id_number("370202", datetime.date(1994, 5, 6), male=True)
WOMAN = make_id_number("370211", datetime.date(1996, 7, 8), male=False)


def body(day, **extra):
    return {
        "office": "370203",
        "date": day.isoformat(),
        "kind": "marriage",
        "party_a_id_number": MAN,
        "party_b_id_number": WOMAN,
        **extra,
    }


def test_a_resident_books_at_any_office_of_the_city(resident_client):
    client = resident_client()
    day = weekday_after(3)
    response = client.post(URL, body(day), format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["office"], answer["date"], answer["kind"], answer["status"]) == (
        "370203",
        day.isoformat(),
        "marriage",
        "booked",
    )
    assert answer["party_a_id_number_masked"] == MAN[:6] + "********" + MAN[-4:]
    assert MAN not in response.content.decode()
    appointment = Appointment.objects.get()
    assert (appointment.resident, appointment.booked_by, appointment.phone) == (client.resident, None, "13800001111")
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}{appointment.pk}/").json()["id"] == appointment.pk


def test_the_last_place_goes_once_then_fully_booked(resident_client, make_staff):
    registrar = make_staff("registrar", "370203")
    day = weekday_after(3)
    services.capacity_override_set(actor=registrar, office="370203", date=day, capacity=1)
    first = resident_client("13800001111").post(URL, body(day), format="json")
    assert first.status_code == 201
    other = make_id_number("370203", datetime.date(1990, 1, 2), male=True)
    other_b = make_id_number("370203", datetime.date(1991, 1, 2), male=False)
    full = resident_client("13800002222").post(
        URL, body(day, party_a_id_number=other, party_b_id_number=other_b), format="json"
    )
    assert full.status_code == 409
    assert full.json()["code"] == "fully_booked"
    assert Appointment.objects.count() == 1


def test_counter_and_online_bookings_share_the_days_capacity(resident_client, make_staff, api_for):
    registrar = make_staff("registrar", "370203")
    day = weekday_after(3)
    services.capacity_override_set(actor=registrar, office="370203", date=day, capacity=1)
    counter = api_for(registrar).post(
        "/api/v1/marriage-appointments/",
        {"date": day.isoformat(), "kind": "marriage", "name_a": "张三", "name_b": "李四", "phone": "13900000000"},
        format="json",
    )
    assert counter.status_code == 201
    response = resident_client().post(URL, body(day), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "fully_booked"


@pytest.mark.parametrize(
    ("when", "field"),
    [(-1, "date"), (services.BOOKING_HORIZON_DAYS + 1, "date")],
    ids=["yesterday", "beyond the window"],
)
def test_a_day_outside_the_booking_window_is_refused(resident_client, when, field):
    day = timezone.localdate() + datetime.timedelta(days=when)
    response = resident_client().post(URL, body(day), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Appointment.objects.exists()


def test_the_last_day_of_the_window_is_bookable(resident_client, make_staff):
    day = timezone.localdate() + datetime.timedelta(days=services.BOOKING_HORIZON_DAYS)
    services.capacity_override_set(actor=make_staff("registrar", "370203"), office="370203", date=day, capacity=3)
    assert resident_client().post(URL, body(day), format="json").status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("party_a_id_number", MAN[:17] + ("0" if MAN[17] != "0" else "1")),  # wrong check character
        ("party_b_id_number", "37021119961308123X"),  # no such birth date
        ("party_b_id_number", "3702111996"),  # too short
        ("party_b_id_number", MAN),  # the same person twice
    ],
    ids=["check character", "birth date", "length", "same person"],
)
def test_a_bad_party_id_number_is_refused(resident_client, field, value):
    response = resident_client().post(URL, body(weekday_after(3), **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Appointment.objects.exists()


def test_a_marriage_of_a_party_under_the_legal_age_is_refused(resident_client):
    young = make_id_number("370211", timezone.localdate().replace(year=timezone.localdate().year - 19), male=False)
    response = resident_client().post(URL, body(weekday_after(3), party_b_id_number=young), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "under_age"
    divorce = resident_client("13800002222").post(
        URL, body(weekday_after(3), kind="divorce", party_b_id_number=WOMAN), format="json"
    )
    assert divorce.status_code == 201


def test_an_unknown_office_or_kind_is_refused(resident_client):
    client = resident_client()
    assert "office" in client.post(URL, body(weekday_after(3), office="370299"), format="json").json()
    assert "kind" in client.post(URL, body(weekday_after(3), kind="reissue"), format="json").json()
    assert not Appointment.objects.exists()


def test_a_party_with_an_open_booking_cannot_book_again(resident_client):
    assert resident_client().post(URL, body(weekday_after(3)), format="json").status_code == 201
    again = resident_client("13800002222").post(URL, body(weekday_after(5), office="370202"), format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_booked"


def test_a_resident_cancels_their_booking_and_the_place_is_free_again(resident_client, make_staff):
    day = weekday_after(3)
    services.capacity_override_set(actor=make_staff("registrar", "370203"), office="370203", date=day, capacity=1)
    client = resident_client()
    booked = client.post(URL, body(day), format="json").json()
    cancelled = client.post(f"{URL}{booked['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"{URL}{booked['id']}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert client.post(URL, body(day), format="json").status_code == 201


def test_another_residents_booking_is_not_found(resident_client):
    owner = resident_client("13800001111")
    booked = owner.post(URL, body(weekday_after(3)), format="json").json()
    stranger = resident_client("13800002222")
    assert stranger.get(f"{URL}{booked['id']}/").status_code == 404
    assert stranger.post(f"{URL}{booked['id']}/cancel/", {}, format="json").status_code == 404
    assert stranger.get(URL).json()["count"] == 0
    assert Appointment.objects.get().status == "booked"


def test_the_offices_show_residents_the_places_left(resident_client, make_staff):
    client = resident_client()
    day = weekday_after(3)
    services.capacity_override_set(actor=make_staff("registrar", "370203"), office="370203", date=day, capacity=2)
    client.post(URL, body(day), format="json")
    offices = client.get("/api/v1/public/marriage-offices/").json()
    assert "370203" in [o["code"] for o in offices]
    days = client.get(f"/api/v1/public/marriage-offices/370203/?from={day.isoformat()}").json()["days"]
    assert days[0] == {"date": day.isoformat(), "capacity": 2, "booked": 1, "free": 1}


def test_no_credentials_or_a_staff_token_on_the_residents_bookings_is_401(api_for, make_staff, divisions):
    assert APIClient().get(URL).status_code == 401
    assert api_for(make_staff("registrar", "370203")).get(URL).status_code == 401


def test_a_resident_token_on_the_registrars_endpoints_is_401(resident_client):
    client = resident_client()
    assert client.get("/api/v1/marriage-appointments/").status_code == 401
    assert (
        client.post("/api/v1/marriage-offices/370203/capacity/", {"date": "2030-01-02", "capacity": 9}).status_code
        == 401
    )
    assert client.get("/api/v1/marriage-offices/370203/").status_code == 401


def test_registrars_see_online_bookings_in_the_days_list_masked(resident_client, api_for, make_staff):
    day = weekday_after(3)
    resident_client().post(URL, body(day, name_a="王五"), format="json")
    registrar = api_for(make_staff("registrar", "370203"))
    rows = registrar.get(f"/api/v1/marriage-appointments/?office=370203&date={day.isoformat()}").json()["results"]
    assert [(r["booked_online"], r["name_a"], r["party_b_id_number_masked"]) for r in rows] == [
        (True, "王五", WOMAN[:6] + "********" + WOMAN[-4:])
    ]
    assert WOMAN not in str(rows)
    caseworker = api_for(make_staff("caseworker", "370203001"))
    assert caseworker.get("/api/v1/marriage-appointments/").status_code == 403


# --- The history: the resident is the writer, in plain words ------------------------------------------


def _actors(appointment, language="zh-hans"):
    from django.utils import translation

    from core.history import rows_for

    with translation.override(language):
        return [(row.kind, row.actor, row.via) for row in reversed(rows_for(appointment))]


def test_the_history_names_the_resident_who_booked_and_cancelled(resident_client, make_staff):
    """Booked and cancelled through the API: both rows say 居民 138****1111 (网上), never an id or a token;
    a staff account that happens to share the resident's id is not named (pghistory reads any pk)."""
    twin = make_staff("registrar", "370203", first_name="同号", last_name="职员")
    resident = Resident.objects.create(pk=twin.pk, phone="13800001111")
    client = APIClient()
    token = token_issue(resident=resident)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    services.capacity_override_set(
        actor=make_staff("registrar", "370203"), office="370203", date=weekday_after(3), capacity=2
    )
    booked = client.post(URL, body(weekday_after(3)), format="json").json()
    assert client.post(f"{URL}{booked['id']}/cancel/", {}, format="json").status_code == 200
    appointment = Appointment.objects.get(pk=booked["id"])
    rows = _actors(appointment)
    assert [kind for kind, _actor, _via in rows] == ["insert", "update"]
    assert {actor for _kind, actor, _via in rows} == {"居民 138****1111 (网上)"}
    assert {via for _kind, _actor, via in rows} == {"接口"}
    assert {actor for _kind, actor, _via in _actors(appointment, "en")} == {"Resident 138****1111 (online)"}
    everything = repr(rows)
    for leak in (f"resident={resident.pk}", token, "13800001111", str(twin), "居民网上申请", "System", "系统"):
        assert leak not in everything, leak


def test_a_registrars_cancel_of_an_online_booking_names_the_registrar(resident_client, make_staff):
    registrar = make_staff("registrar", "370203", first_name="芳", last_name="王")
    services.capacity_override_set(actor=registrar, office="370203", date=weekday_after(3), capacity=2)
    booked = resident_client().post(URL, body(weekday_after(3)), format="json").json()
    services.appointment_cancel(actor=registrar, appointment=booked["id"], reason="当事人电话取消")
    rows = _actors(Appointment.objects.get(pk=booked["id"]))
    assert [actor for _kind, actor, _via in rows] == ["居民 138****1111 (网上)", str(registrar)]


def test_a_booking_made_by_the_service_outside_a_request_names_the_resident_too(divisions, make_staff):
    resident = Resident.objects.create(phone="13912345678")
    day = weekday_after(3)
    services.capacity_override_set(actor=make_staff("registrar", "370203"), office="370203", date=day, capacity=2)
    appointment = services.online_appointment_book(
        resident=resident, office="370203", date=day, kind="marriage", party_a_id_number=MAN, party_b_id_number=WOMAN
    )
    assert _actors(appointment) == [("insert", "居民 139****5678 (网上)", "")]
