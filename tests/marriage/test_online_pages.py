"""The resident site's booking pages (/public/marriage/): book at any office, cancel, and the registrar's day list."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from marriage import services
from marriage.models import Appointment
from residents.auth import SESSION_RESIDENT, SESSION_SEEN, SESSION_STARTED
from residents.models import Resident
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

MAN = make_id_number("370202", datetime.date(1993, 2, 3), male=True)
WOMAN = make_id_number("370203", datetime.date(1995, 4, 5), male=False)


def signed_in(phone: str = "13800001111") -> Client:
    resident = Resident.objects.create(phone=phone)
    client = Client()
    session = client.session
    session[SESSION_RESIDENT] = resident.pk
    session[SESSION_STARTED] = session[SESSION_SEEN] = int(time.time())
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.resident = resident
    return client


def a_weekday(days: int = 3) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def form(day, **extra):
    return {
        "office": "370203",
        "kind": "marriage",
        "date": day.isoformat(),
        "party_a_id_number": MAN,
        "party_b_id_number": WOMAN,
        **extra,
    }


def test_the_pages_need_a_signed_in_resident(divisions):
    response = Client().get("/public/marriage/")
    assert response.status_code == 302
    assert response["Location"] == "/public/login/"


def test_a_resident_chooses_an_office_sees_places_left_and_books(divisions, make_staff):
    day = a_weekday()
    services.capacity_override_set(actor=make_staff("registrar", "370203"), office="370203", date=day, capacity=3)
    client = signed_in()
    page = client.get("/public/marriage/book/?office=370203").content.decode()
    assert f'value="{day.isoformat()}"' in page
    assert "剩余 3 个名额" in page
    response = client.post("/public/marriage/book/?office=370203", form(day))
    assert response.status_code == 302
    assert response["Location"] == "/public/marriage/"
    appointment = Appointment.objects.get()
    assert (appointment.resident, appointment.office_id, appointment.date) == (client.resident, "370203", day)
    listing = client.get("/public/marriage/").content.decode()
    assert "预约成功" in listing
    assert MAN not in listing
    assert MAN[:6] + "********" + MAN[-4:] in listing


def test_a_fully_booked_day_is_refused_in_words_and_nothing_is_booked(divisions, make_staff):
    day = a_weekday()
    registrar = make_staff("registrar", "370203")
    services.capacity_override_set(actor=registrar, office="370203", date=day, capacity=1)
    services.appointment_book(
        actor=registrar, office="370203", date=day, kind="marriage", name_a="甲", name_b="乙", phone="13900000000"
    )
    client = signed_in()
    assert "已约满" in client.get("/public/marriage/book/?office=370203").content.decode()
    response = client.post("/public/marriage/book/?office=370203", form(day))
    assert response.status_code == 200
    assert "已约满" in response.content.decode()
    assert Appointment.objects.filter(resident__isnull=False).count() == 0


def test_a_wrong_id_number_is_shown_beside_its_field(divisions):
    response = signed_in().post(
        "/public/marriage/book/?office=370203", form(a_weekday(), party_b_id_number=MAN[:17] + "Y")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["party_b_id_number"]
    assert not Appointment.objects.exists()


def test_a_resident_cancels_from_the_page_and_another_resident_cannot(divisions):
    owner = signed_in()
    owner.post("/public/marriage/book/?office=370203", form(a_weekday()))
    appointment = Appointment.objects.get()
    stranger = signed_in("13800002222")
    assert stranger.post(f"/public/marriage/{appointment.pk}/cancel/").status_code == 404
    assert Appointment.objects.get().status == "booked"
    response = owner.post(f"/public/marriage/{appointment.pk}/cancel/")
    assert response.status_code == 302
    assert Appointment.objects.get().status == "cancelled"


def test_the_registrar_sees_the_residents_booking_in_the_days_list(divisions, browser_client, make_staff):
    day = a_weekday()
    signed_in().post("/public/marriage/book/?office=370203", form(day, name_a="王五"))
    page = browser_client(make_staff("registrar", "370203")).get(
        f"/marriage/appointments/?office=370203&date={day.isoformat()}"
    )
    html = page.content.decode()
    assert "王五" in html
    assert "网上预约" in html
    assert WOMAN not in html
