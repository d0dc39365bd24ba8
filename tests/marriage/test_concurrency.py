"""Races on PostgreSQL: real threads, real connections, committed transactions."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from marriage import services
from marriage.models import Appointment, Registration
from tests.factories import PersonFactory, StaffFactory, make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except DomainError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def adult(male: bool):
    number = make_id_number("370202", datetime.date(1990, 3, 3), male=male)
    return PersonFactory(id_number=number, sex="male" if male else "female", division_id="370202001001")


def test_concurrent_registrations_never_share_a_certificate_number(divisions):
    registrar = StaffFactory(role="registrar", division_id="370202")
    couples = [(adult(True), adult(False)) for _ in range(6)]
    results = run_together(
        [
            (
                lambda a=a, b=b: services.marriage_register(
                    actor=registrar, party_a=a, party_b=b, declarations_signed=True
                )
            )
            for a, b in couples
        ]
    )
    numbers = sorted(r.certificate_number for r in results)
    year = timezone.localdate().year
    assert numbers == [f"J370202-{year}-{n:06d}" for n in range(1, 7)]


def test_one_person_married_twice_at_once_only_one_succeeds(divisions):
    registrar = StaffFactory(role="registrar", division_id="370202")
    man = adult(True)
    brides = [adult(False), adult(False)]
    results = run_together(
        [
            (lambda b=b: services.marriage_register(actor=registrar, party_a=man, party_b=b, declarations_signed=True))
            for b in brides
        ]
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1
    assert refused[0].code == "already_married"
    assert Registration.objects.count() == 1


def test_capacity_holds_when_bookings_race(divisions):
    registrar = StaffFactory(role="registrar", division_id="370202")
    services.office_update(actor=registrar, office="370202", daily_capacity=3)
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    results = run_together(
        [
            (
                lambda i=i: services.appointment_book(
                    actor=registrar,
                    office="370202",
                    date=day,
                    kind="marriage",
                    name_a=f"甲{i}",
                    name_b=f"乙{i}",
                    phone="13800000000",
                )
            )
            for i in range(8)
        ]
    )
    assert sum(1 for r in results if isinstance(r, Appointment)) == 3
    assert all(r.code == "fully_booked" for r in results if isinstance(r, DomainError))
    assert Appointment.objects.filter(date=day).count() == 3


def test_two_residents_racing_for_the_last_place_one_gets_it(divisions):
    from residents.models import Resident

    registrar = StaffFactory(role="registrar", division_id="370203")
    day = timezone.localdate() + datetime.timedelta(days=2)
    services.capacity_override_set(actor=registrar, office="370203", date=day, capacity=1)
    couples = [(adult(True).id_number, adult(False).id_number) for _ in range(2)]
    residents = [Resident.objects.create(phone=f"1380000{i:04d}") for i in range(2)]
    results = run_together(
        [
            (
                lambda r=r, a=a, b=b: services.online_appointment_book(
                    resident=r, office="370203", date=day, kind="marriage", party_a_id_number=a, party_b_id_number=b
                )
            )
            for r, (a, b) in zip(residents, couples, strict=True)
        ]
    )
    assert sum(1 for r in results if isinstance(r, Appointment)) == 1
    assert [r.code for r in results if isinstance(r, DomainError)] == ["fully_booked"]
    assert Appointment.objects.filter(date=day).count() == 1


def test_one_couple_booked_twice_at_once_at_two_offices_gets_one_booking(divisions):
    from residents.models import Resident

    day = timezone.localdate() + datetime.timedelta(days=2)
    for office in ("370202", "370203"):
        services.capacity_override_set(
            actor=StaffFactory(role="registrar", division_id=office), office=office, date=day, capacity=5
        )
    a, b = adult(True).id_number, adult(False).id_number
    residents = [Resident.objects.create(phone=f"1390000{i:04d}") for i in range(2)]
    results = run_together(
        [
            (
                lambda r=r, office=office: services.online_appointment_book(
                    resident=r, office=office, date=day, kind="marriage", party_a_id_number=a, party_b_id_number=b
                )
            )
            for r, office in zip(residents, ("370202", "370203"), strict=True)
        ]
    )
    assert [r.code for r in results if isinstance(r, DomainError)] == ["already_booked"]
    assert Appointment.objects.count() == 1
