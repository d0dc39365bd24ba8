from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marriage import services
from marriage.models import Appointment, HouseholdChange, Office
from people.models import HouseholdMember
from tests.factories import make_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/marriage-registrations/"


@pytest.fixture
def cohabiting(person):
    """A man heading a household in which the woman he marries is listed as "other"."""
    household = make_household(community="370202001001")
    head = household.head
    partner = person(male=False)
    HouseholdMember.objects.create(household=household, person=partner, relationship="other")
    return household, head, partner


def test_a_marriage_makes_the_partner_the_heads_spouse_and_records_it(registrar_api, cohabiting):
    household, head, partner = cohabiting
    response = registrar_api.post(
        URL, {"kind": "marriage", "party_a": head.pk, "party_b": partner.pk, "office": "370202"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert HouseholdMember.objects.get(person=partner).relationship == "spouse"
    change = HouseholdChange.objects.get()
    assert (change.household, change.old_relationship, change.new_relationship) == (household, "other", "spouse")


def test_a_divorce_undoes_the_spouse_relationship(registrar_api, cohabiting):
    _household, head, partner = cohabiting
    registrar_api.post(
        URL,
        {"kind": "marriage", "party_a": head.pk, "party_b": partner.pk, "applied_on": "2018-03-03"},
        format="json",
    )
    registrar_api.post(
        URL,
        {"kind": "divorce", "party_a": head.pk, "party_b": partner.pk, "applied_on": "2020-03-03"},
        format="json",
    )
    assert HouseholdMember.objects.get(person=partner).relationship == "other"
    assert HouseholdChange.objects.count() == 2


def test_an_officer_reverts_a_household_change(api_for, make_staff, registrar_api, cohabiting):
    _household, head, partner = cohabiting
    registrar_api.post(URL, {"kind": "marriage", "party_a": head.pk, "party_b": partner.pk}, format="json")
    change = HouseholdChange.objects.get()
    caseworker = api_for(make_staff("caseworker", "370202001"))
    refused = caseworker.post(f"/api/v1/marriage-household-changes/{change.pk}/revert/", {}, format="json")
    assert refused.status_code == 400
    response = caseworker.post(
        f"/api/v1/marriage-household-changes/{change.pk}/revert/", {"reason": "登记错误"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "reverted"
    assert HouseholdMember.objects.get(person=partner).relationship == "other"
    again = caseworker.post(
        f"/api/v1/marriage-household-changes/{change.pk}/revert/", {"reason": "再次"}, format="json"
    )
    assert again.status_code == 409


def test_a_change_outside_the_officers_area_is_not_found(api_for, make_staff, registrar_api, cohabiting):
    _household, head, partner = cohabiting
    registrar_api.post(URL, {"kind": "marriage", "party_a": head.pk, "party_b": partner.pk}, format="json")
    change = HouseholdChange.objects.get()
    other = api_for(make_staff("caseworker", "370203001"))
    response = other.post(f"/api/v1/marriage-household-changes/{change.pk}/revert/", {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_a_revert_is_refused_when_the_household_changed_since(api_for, make_staff, registrar_api, cohabiting):
    _household, head, partner = cohabiting
    registrar_api.post(URL, {"kind": "marriage", "party_a": head.pk, "party_b": partner.pk}, format="json")
    change = HouseholdChange.objects.get()
    HouseholdMember.objects.filter(person=partner).update(relationship="sibling")
    response = api_for(make_staff("caseworker", "370202001")).post(
        f"/api/v1/marriage-household-changes/{change.pk}/revert/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "household_changed"


def test_a_couple_in_different_households_leaves_both_untouched(registrar_api, couple):
    a, b = couple()
    registrar_api.post(URL, {"kind": "marriage", "party_a": a.pk, "party_b": b.pk}, format="json")
    assert not HouseholdChange.objects.exists()


# --- Appointments --------------------------------------------------------------------------------

APPOINTMENTS = "/api/v1/marriage-appointments/"


def next_weekday(start: datetime.date) -> datetime.date:
    day = start + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def book(api, day, **extra):
    body = {"date": day.isoformat(), "kind": "marriage", "name_a": "张三", "name_b": "李四", "phone": "13800000000"}
    return api.post(APPOINTMENTS, {**body, **extra}, format="json")


def test_bookings_fill_a_day_up_to_the_offices_capacity(registrar, registrar_api):
    services.office_update(actor=registrar, office="370202", daily_capacity=2)
    day = next_weekday(timezone.localdate())
    assert book(registrar_api, day).status_code == 201
    assert book(registrar_api, day).status_code == 201
    full = book(registrar_api, day)
    assert full.status_code == 409
    assert full.json()["code"] == "fully_booked"
    assert Appointment.objects.count() == 2


def test_cancelling_frees_a_place(registrar, registrar_api):
    services.office_update(actor=registrar, office="370202", daily_capacity=1)
    day = next_weekday(timezone.localdate())
    first = book(registrar_api, day).json()
    cancelled = registrar_api.post(f"{APPOINTMENTS}{first['id']}/cancel/", {"reason": "改期"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert book(registrar_api, day).status_code == 201


def test_the_office_is_closed_at_weekends_unless_a_day_is_opened(registrar, registrar_api):
    saturday = timezone.localdate() + datetime.timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
    closed = book(registrar_api, saturday)
    assert closed.status_code == 409
    assert closed.json()["code"] == "office_closed"
    response = registrar_api.post(
        "/api/v1/marriage-offices/370202/capacity/",
        {"date": saturday.isoformat(), "capacity": 5, "reason": "七夕"},
        format="json",
    )
    assert response.status_code == 200
    assert book(registrar_api, saturday).status_code == 201


def test_a_past_day_cannot_be_booked(registrar_api):
    response = book(registrar_api, timezone.localdate() - datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "date" in response.json()


def test_appointments_are_refused_to_a_caseworker(api_for, make_staff):
    response = book(api_for(make_staff()), next_weekday(timezone.localdate()))
    assert response.status_code == 403


def test_an_office_lists_its_next_days_with_capacity(registrar_api):
    body = registrar_api.get("/api/v1/marriage-offices/370202/").json()
    assert body["code"] == "370202"
    assert len(body["days"]) == 14
    assert Office.objects.filter(pk="370202").count() == 0  # shown with defaults; made when first changed


def test_a_registrar_of_another_district_may_not_set_this_offices_capacity(registrar, api_for, make_staff):
    other = api_for(make_staff("registrar", "370203"))
    day = next_weekday(timezone.localdate())
    refused = other.post(
        "/api/v1/marriage-offices/370202/capacity/", {"date": day.isoformat(), "capacity": 9}, format="json"
    )
    assert refused.status_code == 403
    assert other.patch("/api/v1/marriage-offices/370202/", {"daily_capacity": 9}, format="json").status_code == 403
    assert not Office.objects.filter(pk="370202").exists()
    own = other.post(
        "/api/v1/marriage-offices/370203/capacity/", {"date": day.isoformat(), "capacity": 9}, format="json"
    )
    assert own.status_code == 200
    assert services.capacity_on(Office.objects.get(pk="370203"), day) == 9
