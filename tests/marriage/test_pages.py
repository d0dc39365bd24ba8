from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marriage import services
from marriage.models import Appointment, HouseholdChange, Registration
from people.models import HouseholdMember
from tests.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(registrar, couple):
    a, b = couple()
    return services.marriage_register(
        actor=registrar, party_a=a, party_b=b, applied_on=datetime.date(2020, 8, 8), declarations_signed=True
    )


def test_the_registrars_pages_render(browser_client, registrar, registered):
    client = browser_client(registrar)
    for url in [
        "/marriage/",
        "/marriage/?kind=marriage&q=J",
        "/marriage/new/",
        f"/marriage/{registered.pk}/",
        "/marriage/appointments/",
        "/marriage/statistics/",
        "/marriage/household-changes/",
        f"/people/{registered.party_a_id}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_person_page_shows_the_marital_status(browser_client, registrar, registered):
    response = browser_client(registrar).get(f"/people/{registered.party_b_id}/")
    assert registered.party_a.name in response.content.decode()
    assert 'data-testid="marital-status"' in response.content.decode()


def test_the_form_registers_a_marriage_by_id_numbers(browser_client, registrar, couple):
    a, b = couple()
    response = browser_client(registrar).post(
        "/marriage/new/",
        {
            "kind": "marriage",
            "office": "370202",
            "party_a": a.id_number,
            "party_b": b.id_number,
            "declarations_signed": "on",
        },
    )
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/marriage/{registration.pk}/"


def test_the_form_shows_an_unknown_id_number_on_its_field(browser_client, registrar, person):
    from tests.factories import make_id_number

    a = person()
    response = browser_client(registrar).post(
        "/marriage/new/",
        {
            "kind": "marriage",
            "office": "370202",
            "party_a": a.id_number,
            "party_b": make_id_number(male=False),
            "declarations_signed": "on",
        },
    )
    assert response.status_code == 200
    assert "party_b" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_the_divorce_is_completed_from_the_record_page(browser_client, registrar, registered):
    application = services.divorce_apply(
        actor=registrar,
        party_a=registered.party_a,
        party_b=registered.party_b,
        applied_on=timezone.localdate() - datetime.timedelta(days=31),
        declarations_signed=True,
    )
    client = browser_client(registrar)
    response = client.post(f"/marriage/{application.pk}/register/", {"both_present": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "registered"


def test_a_caseworker_reverts_a_household_change_from_the_list(browser_client, make_staff, registrar, person):
    household = make_household(community="370202001001")
    partner = person(male=False)
    HouseholdMember.objects.create(household=household, person=partner, relationship="other")
    services.marriage_register(actor=registrar, party_a=household.head, party_b=partner, declarations_signed=True)
    change = HouseholdChange.objects.get()
    client = browser_client(make_staff("caseworker", "370202001"))
    assert client.get("/marriage/household-changes/").status_code == 200
    client.post(f"/marriage/household-changes/{change.pk}/revert/", {"reason": "错误"})
    assert HouseholdMember.objects.get(person=partner).relationship == "other"


def test_an_appointment_is_booked_from_the_page(browser_client, registrar):
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    response = browser_client(registrar).post(
        "/marriage/appointments/?office=370202",
        {
            "book-date": day.isoformat(),
            "book-kind": "marriage",
            "book-name_a": "甲",
            "book-name_b": "乙",
            "book-phone": "13900000000",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(date=day).count() == 1


def test_a_caseworker_gets_no_registry_pages(browser_client, make_staff):
    client = browser_client(make_staff())
    assert client.get("/marriage/").status_code == 403
    assert client.get("/marriage/new/").status_code == 403


def test_a_leader_sees_statistics(browser_client, make_staff, registered):
    response = browser_client(make_staff("leader", "370200")).get(
        "/marriage/statistics/?month_from=2020-01&month_to=2020-12"
    )
    assert response.status_code == 200
    assert response.context["totals"]["marriages"] == 1


def test_the_appointments_page_offers_office_settings_only_for_the_registrars_own_office(browser_client, make_staff):
    client = browser_client(make_staff("registrar", "370203"))
    own = client.get("/marriage/appointments/?office=370203").content.decode()
    other = client.get("/marriage/appointments/?office=370202").content.decode()
    assert "/marriage/offices/370203/capacity/" in own
    assert "/marriage/offices/370202/capacity/" not in other
