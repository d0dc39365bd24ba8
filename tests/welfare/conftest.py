"""Fixtures for welfare: the standards, the people a case passes through, and ready-made cases."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from core.cases import local_today
from relief import services as relief_services
from tests.conftest import OWN_SUBDISTRICT
from tests.factories import PersonFactory, make_household, make_id_number, review_through_notice
from welfare.demo import welfare_standards_seed

OWN_DISTRICT = OWN_SUBDISTRICT[:6]


@pytest.fixture(autouse=True)
def _standards(db):
    """Relief's shipped and demo standards (dibao 880/700, 940/760 from April 2020) and welfare's demo ones:
    orphans 1600/1200 (1700/1250 from 2020), living subsidy 220 (235 from April 2020), nursing 120 (grade 1: 200)."""
    relief_services.standards_seed(demo=True)
    welfare_standards_seed()


@pytest.fixture
def sd_approver(make_staff):
    return make_staff("subdistrict_approver", OWN_SUBDISTRICT)


@pytest.fixture
def district_approver(make_staff):
    return make_staff("district_approver", OWN_DISTRICT)


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin", "370200")


@pytest.fixture
def actors(caseworker, sd_approver, district_approver):
    return SimpleNamespace(caseworker=caseworker, reviewer=sd_approver, approver=district_approver)


def born_years_ago(years: int, *, days: int = 0) -> datetime.date:
    """The birth date of someone who turns ``years`` ``days`` days from today (negative: days ago)."""
    today = local_today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:
        birthday = datetime.date(today.year - years, 2, 28)
    return birthday + datetime.timedelta(days=days)


def make_person(*, birth: datetime.date | None = None, community: str = "370202001001", **kwargs):
    birth = birth or datetime.date(1980, 5, 5)
    return PersonFactory(id_number=make_id_number(birth=birth), division_id=community, **kwargs)


def certificate_for(person, disability_type: int = 4, grade: int = 2) -> str:
    return f"{person.id_number}{disability_type}{grade}"


@pytest.fixture
def dibao_household(actors):
    """An urban household of 3 in the caseworker's community, with an active dibao case."""
    household = make_household(community="370202001001", members=3)
    case = relief_services.dibao_case_create(actor=actors.caseworker, household=household, monthly_income="600.00")
    review_through_notice(case, reviewer=actors.reviewer)
    relief_services.dibao_case_approve(actor=actors.approver, case=case)
    household.dibao_case = case
    return household


def pass_case(client_for, actors, path: str, case_id: int) -> dict:
    """Review and approve a case through the API; the approved case's JSON."""
    reviewed = client_for(actors.reviewer).post(f"/api/v1/{path}/{case_id}/review/", {}, format="json")
    assert reviewed.status_code == 200, reviewed.content
    approved = client_for(actors.approver).post(f"/api/v1/{path}/{case_id}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    return approved.json()
