"""Coverage (错保漏保): exactly the seeded gaps, computed here independently of the selector's SQL."""

from __future__ import annotations

import pytest

from core.cases import OPEN_STATUSES
from datacheck import selectors
from people.models import HouseholdMember
from relief.models import DibaoCase
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, api_client_for
from tests.datacheck.conftest import make_person
from welfare import services as welfare_services
from welfare.models import DisabilityCertificate, DisabilitySubsidyCase

pytestmark = pytest.mark.django_db


def _certificate(actor, person, grade):
    welfare_services.certificate_register(actor=actor, person=person, certificate_number=f"{person.id_number}4{grade}")


@pytest.fixture
def seeded(actors, dibao_household, make_staff):
    """Who has a certificate, in or out of dibao, with or without each subsidy."""
    cw = actors.caseworker
    members = [m.person for m in dibao_household.members.select_related("person").order_by("id")]
    _head, second, third = members
    _certificate(cw, second, 3)  # grade 3 in dibao, no living subsidy → living gap
    welfare_services.disability_subsidy_create(  # grade 1 in dibao, living subsidy applied → nursing gap only
        actor=cw, person=third, kind="living", certificate_number=f"{third.id_number}41"
    )
    lone_severe = make_person()
    _certificate(cw, lone_severe, 2)  # grade 2 outside dibao, no nursing subsidy → nursing gap
    covered = make_person()
    welfare_services.disability_subsidy_create(
        actor=cw, person=covered, kind="nursing", certificate_number=f"{covered.id_number}41"
    )  # → no gap
    mild = make_person()
    _certificate(cw, mild, 4)  # grade 4 outside dibao → no gap
    other_cw = make_staff("caseworker", OTHER_SUBDISTRICT_COMMUNITY[:9])
    elsewhere = make_person(community=OTHER_SUBDISTRICT_COMMUNITY)
    _certificate(other_cw, elsewhere, 1)  # a gap, but outside the caseworker's sub-district
    return {"second": second, "third": third, "lone": lone_severe, "elsewhere": elsewhere}


def _expected(division_prefix: str) -> dict[int, set[str]]:
    """The gaps by plain Python over every certificate: the test's own reading of the rule."""
    active_households = set(DibaoCase.objects.filter(status="active").values_list("household_id", flat=True))
    expected: dict[int, set[str]] = {}
    for cert in DisabilityCertificate.objects.select_related("person"):
        person = cert.person
        if person.death_date or not person.division_id.startswith(division_prefix):
            continue
        open_kinds = set(
            DisabilitySubsidyCase.objects.filter(person=person, status__in=OPEN_STATUSES).values_list("kind", flat=True)
        )
        in_dibao = HouseholdMember.objects.filter(person=person, household_id__in=active_households).exists()
        gaps = set()
        if in_dibao and "living" not in open_kinds:
            gaps.add("living")
        if cert.grade <= 2 and "nursing" not in open_kinds:
            gaps.add("nursing")
        if gaps:
            expected[person.pk] = gaps
    return expected


def test_the_coverage_check_finds_exactly_the_seeded_gaps(seeded, caseworker):
    found = {p.pk: set(selectors.gaps_of(p)) for p in selectors.coverage_gaps(user=caseworker)}
    assert found == _expected(caseworker.division_id)
    assert found == {
        seeded["second"].pk: {"living"},
        seeded["third"].pk: {"nursing"},
        seeded["lone"].pk: {"nursing"},
    }


def test_the_coverage_api_and_page(seeded, caseworker, make_staff, client):
    data = api_client_for(caseworker).get("/api/v1/coverage-gaps/?gap=nursing").json()
    assert {r["person"] for r in data["results"]} == {seeded["third"].pk, seeded["lone"].pk}
    assert all(set(r) >= {"person", "name", "id_number_masked", "gaps"} for r in data["results"])
    district = make_staff("district_approver", "370202")
    everything = api_client_for(district).get("/api/v1/coverage-gaps/").json()
    assert seeded["elsewhere"].pk in {r["person"] for r in everything["results"]}
    assert api_client_for(make_staff("finance", "370200")).get("/api/v1/coverage-gaps/").status_code == 403
    client.force_login(caseworker)
    page = client.get("/datacheck/coverage/")
    assert page.status_code == 200 and seeded["lone"].name in page.content.decode()
    assert seeded["lone"].id_number not in page.content.decode()
