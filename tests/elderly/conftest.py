from __future__ import annotations

import datetime

import pytest

from people.models import Household, HouseholdMember
from tests.factories import PersonFactory, StaffFactory, make_id_number


@pytest.fixture
def approver(make_staff):
    return make_staff("subdistrict_approver", "370202001")


@pytest.fixture
def make_elderly_person(divisions):
    """A person born in ``birth_year`` heading a household of ``area_type`` in ``community``."""

    def make(*, community: str = "370202001001", area_type: str = "rural", birth_year: int = 1948):
        staff = StaffFactory()
        person = PersonFactory(
            id_number=make_id_number(community[:6], datetime.date(birth_year, 5, 1)),
            division_id=community,
            created_by=staff,
        )
        household = Household.objects.create(
            community_id=community, address="王家村1号", area_type=area_type, head=person, created_by=staff
        )
        HouseholdMember.objects.create(household=household, person=person, relationship="head")
        return person

    return make
