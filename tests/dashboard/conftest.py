"""A small seeded city for the dashboard: dibao and tekun paid over several months and districts,
temporary relief claims, registrations, roads, social organizations, station admissions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from payouts.services import run_approve, run_compute, run_request
from tests.factories import PersonFactory, StaffFactory, make_household, make_id_number
from tests.payouts.conftest import dibao_case, finance, payout_standards, staff, tekun_case  # noqa: F401

JAN, FEB, MAR, DEC19 = (
    datetime.date(2020, 1, 1),
    datetime.date(2020, 2, 1),
    datetime.date(2020, 3, 1),
    datetime.date(2019, 12, 1),
)


def pay(officers, scheme: str, period: str):
    """Request, compute and approve one run (maker starts, checker approves)."""
    run, _ = run_request(actor=officers.maker, scheme=scheme, period=period)
    run_compute(run_id=run.pk, worker="test")
    run.refresh_from_db()
    assert run.status == "computed", run.error
    return run_approve(actor=officers.checker, run=run)


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def world(payout_standards, finance, staff):  # noqa: F811
    cases = SimpleNamespace(
        own=dibao_case(community="370202001001", members=3, income="500.00", created_by=staff),
        own_second=dibao_case(community="370202001002", members=1, income="0", created_by=staff),
        sibling=dibao_case(community="370202002001", members=2, income="100.00", start=FEB, created_by=staff),
        other=dibao_case(
            community="370203001001", members=1, income="0", status="terminated", end=MAR, created_by=staff
        ),
        rural=dibao_case(community="370211019001", area_type="rural", members=2, income="0", created_by=staff),
    )
    tekun = SimpleNamespace(
        own=tekun_case(community="370202001001", created_by=staff),
        other=tekun_case(community="370203001001", care_level="partial", created_by=staff),
    )
    runs = {}
    for period in ("2019-12", "2020-01", "2020-02", "2020-03"):
        runs[("dibao", period)] = pay(finance, "dibao", period)
    for period in ("2020-01", "2020-02"):
        runs[("tekun", period)] = pay(finance, "tekun", period)
    return SimpleNamespace(cases=cases, tekun=tekun, runs=runs, finance=finance, staff=staff)


@pytest.fixture
def registries(divisions):
    """Relief claims, registrations, roads, organizations and station stays, in and out of the range."""
    from marriage.models import Registration
    from placenames.models import Road
    from relief.models import FamilyTrace, StationAdmission, TemporaryReliefClaim
    from social_orgs.models import CommunityOrg, SocialOrg

    clerk = StaffFactory(role="caseworker", division_id="370202001")

    def claim(community, amount, day, status="approved", household=None):
        household = household or make_household(community=community, created_by=clerk)
        return TemporaryReliefClaim.objects.create(
            household=household,
            amount=Decimal(amount),
            kind="urgent",
            reason="火灾",
            status=status,
            created_by=clerk,
            approved_by=clerk if status == "approved" else None,
            approved_at=aware(day) if status == "approved" else None,
            cap_year=day.year if status == "approved" else None,
        )

    first = claim("370202001001", "3000.00", datetime.date(2020, 1, 15))
    claim("370202001001", "500.00", datetime.date(2020, 2, 3), household=first.household)  # same household
    claim("370202002001", "1200.00", datetime.date(2020, 3, 31))
    claim("370203001001", "800.00", datetime.date(2020, 2, 10))
    claim("370203001001", "900.00", datetime.date(2020, 5, 1))  # after the range
    claim("370202001001", "700.00", datetime.date(2020, 2, 1), status="submitted")  # not approved

    def person(area="370202", male=True, year=1990):
        return PersonFactory(
            division_id="370202001001", id_number=make_id_number(area=area, birth=datetime.date(year, 3, 3), male=male)
        )

    def marriage(office, day, status="registered"):
        return Registration.objects.create(
            kind="marriage",
            status=status,
            party_a=person(),
            party_b=person(male=False),
            office_id=office,
            applied_on=day,
            registered_on=day if status == "registered" else None,
            registrar=clerk,
        )

    m1 = marriage("370202", datetime.date(2020, 1, 8))
    marriage("370202", datetime.date(2020, 3, 8))
    marriage("370203", datetime.date(2020, 2, 8))
    marriage("370203", datetime.date(2019, 12, 8))  # before the range
    marriage("370202", datetime.date(2020, 2, 9), status="withdrawn")
    Registration.objects.create(
        kind="divorce",
        status="registered",
        party_a=m1.party_a,
        party_b=m1.party_b,
        office_id="370202",
        applied_on=datetime.date(2020, 2, 1),
        registered_on=datetime.date(2020, 3, 2),
        marriage=m1,
        registrar=clerk,
    )
    for i, (district, day) in enumerate(
        [("370202", "2020-01-20"), ("370203", "2020-02-20"), ("370203", "2020-03-20"), ("370211", "2019-06-01")]
    ):
        Road.objects.create(
            name=f"测试路{i}",
            pinyin=f"ceshilu{i}",
            district_id=district,
            road_type="road",
            approved_on=day,
            created_by=clerk,
        )
    for i, (division, day) in enumerate([("370202", "2020-01-05"), ("370200", "2020-02-05"), ("370203", "2018-01-01")]):
        SocialOrg.objects.create(
            name=f"测试协会{i}",
            credit_code=f"51370200MJ{i:07d}X"[:18],
            org_type="group",
            level="city" if division == "370200" else "district",
            division_id=division,
            legal_representative="张三",
            founded_on=day,
            status_since=day,
            created_by=clerk,
        )
    for i, (community, day) in enumerate(
        [("370202001001", "2020-01-05"), ("370202002001", "2020-03-05"), ("370203001001", "2020-02-05")]
    ):
        CommunityOrg.objects.create(
            community_id=community,
            name=f"社区组织{i}",
            category="charity",
            person_in_charge="李四",
            filed_on=day,
            created_by=clerk,
        )
    stays = []
    for i, (station, day) in enumerate(
        [("370202", "2020-01-03"), ("370202", "2020-02-03"), ("370203", "2020-03-03"), ("370203", "2019-11-03")]
    ):
        stays.append(
            StationAdmission.objects.create(
                station_id=station, name=f"无名氏{i}", admitted_on=day, source="police", created_by=clerk
            )
        )
    FamilyTrace.objects.create(
        admission=stays[0],
        method="police",
        started_on="2020-01-04",
        status="found",
        concluded_on="2020-02-01",
        created_by=clerk,
    )
    FamilyTrace.objects.create(
        admission=stays[2], method="police", started_on="2020-03-04", status="searching", created_by=clerk
    )
    return SimpleNamespace(clerk=clerk)
