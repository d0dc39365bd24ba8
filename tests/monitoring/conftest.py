"""Fixtures for low-income monitoring: the demo standards (dibao urban 940.00 from April 2020) and helpers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from people.models import HouseholdMeans, HouseholdMember
from relief.models import DibaoCase, DibaoMember, TekunCase
from relief.services import standards_seed
from tests.conftest import OWN_SUBDISTRICT

OWN_DISTRICT = OWN_SUBDISTRICT[:6]
MONTH = "2020-06"  # the urban dibao standard in force: 940.00 a person
STANDARD = Decimal("940.00")


@pytest.fixture(autouse=True)
def standards(db):
    standards_seed(demo=True)


@pytest.fixture
def district_approver(make_staff):
    return make_staff("district_approver", OWN_DISTRICT)


@pytest.fixture
def sd_approver(make_staff):
    return make_staff("subdistrict_approver", OWN_SUBDISTRICT)


def record_means(household, income, *, as_of=datetime.date(2020, 5, 1), by=None):
    return HouseholdMeans.objects.create(
        household=household, monthly_income=Decimal(income), as_of=as_of, recorded_by=by or household.created_by
    )


def active_dibao(household, *, start=datetime.date(2020, 1, 1)):
    case = DibaoCase.objects.create(
        household=household,
        monthly_income=Decimal("100.00"),
        members_count=household.members.count(),
        status="active",
        start_month=start,
        approved_at=timezone.now(),
        created_by=household.created_by,
    )
    for member in HouseholdMember.objects.filter(household=household):
        DibaoMember.objects.create(case=case, person=member.person, relationship=member.relationship)
    return case


def active_tekun(person, *, start=datetime.date(2020, 1, 1)):
    return TekunCase.objects.create(
        person=person,
        care_level="full",
        placement="home",
        area_type="urban",
        status="active",
        start_month=start,
        approved_at=timezone.now(),
        created_by=person.created_by,
    )
