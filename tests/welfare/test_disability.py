"""The two disability subsidies: certificate numbers, each eligibility rule beside its refusal."""

from __future__ import annotations

import pytest

from core.cases import add_months, current_month
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY
from tests.factories import make_household
from tests.welfare.conftest import certificate_for, make_person, pass_case
from welfare import rules
from welfare.models import DisabilityCertificate, DisabilitySubsidyCase

pytestmark = pytest.mark.django_db


def apply(client, person, kind, number=None, *, disability_type=4, grade=2, **extra):
    data = {
        "person": person.pk,
        "kind": kind,
        "certificate_number": number if number is not None else certificate_for(person, disability_type, grade),
        "disability_type": disability_type,
        "grade": grade,
        **extra,
    }
    return client.post("/api/v1/disability-subsidies/", data, format="json")


def member_of(household, relationship="child"):
    return household.members.filter(relationship=relationship).first().person


# --- Certificate numbers ----------------------------------------------------------------------


def test_a_certificate_number_is_the_id_number_then_type_and_grade():
    person_number = make_person().id_number
    parsed = rules.parse_certificate_number(f" {person_number}71 ")
    assert (parsed.id_number, parsed.disability_type, parsed.grade) == (person_number, 7, 1)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n[:19],  # 19 characters
        lambda n: n + "1",  # 21 characters
        lambda n: n[:17] + ("0" if n[17] != "0" else "1") + n[18:],  # wrong check character
        lambda n: n[:18] + "8" + n[19],  # type 8
        lambda n: n[:18] + "0" + n[19],  # type 0
        lambda n: n[:19] + "5",  # grade 5
        lambda n: n[:19] + "X",  # grade X
    ],
)
def test_a_malformed_certificate_number_is_a_400_and_nothing_is_saved(api, dibao_household, mangle):
    person = member_of(dibao_household)
    response = apply(api, person, "living", mangle(certificate_for(person, 4, 2)))
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["certificate_number"]
    assert not DisabilityCertificate.objects.exists()
    assert not DisabilitySubsidyCase.objects.exists()


def test_someone_elses_number_or_a_disagreeing_grade_is_a_400(api, dibao_household):
    person = member_of(dibao_household)
    other = make_person()
    assert "certificate_number" in apply(api, person, "living", certificate_for(other)).json()
    response = apply(api, person, "living", certificate_for(person, 4, 2), grade=1)
    assert response.status_code == 400
    assert "certificate_number" in response.json()
    assert not DisabilityCertificate.objects.exists()


# --- Living subsidy ---------------------------------------------------------------------------


def test_living_subsidy_for_a_member_of_an_active_dibao_household(api_for, actors, dibao_household):
    person = member_of(dibao_household)
    response = apply(api_for(actors.caseworker), person, "living", disability_type=5, grade=3)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["kind"], body["household"]) == ("submitted", "living", dibao_household.pk)
    assert (body["disability_type"], body["grade"]) == (5, 3)
    assert body["certificate_number_masked"].endswith("53")
    assert person.id_number not in response.content.decode()  # the number carries the ID number: masked
    assert body["monthly_allowance"] == "235.00"
    approved = pass_case(api_for, actors, "disability-subsidies", body["id"])
    assert (approved["status"], approved["paid_this_month"]) == ("active", True)


def test_living_subsidy_outside_an_active_dibao_household_is_refused(api, actors):
    household = make_household(community="370202001001", members=2)  # no dibao
    person = member_of(household)
    response = apply(api, person, "living")
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_dibao"
    assert not DisabilityCertificate.objects.exists()  # all or nothing
    alone = make_person()
    assert apply(api, alone, "living").json()["code"] == "not_in_dibao"


def test_living_subsidy_for_a_household_whose_dibao_is_only_applied_for_is_refused(api, actors):
    from relief.services import dibao_case_create

    household = make_household(community="370202001001", members=2)
    dibao_case_create(actor=actors.caseworker, household=household, monthly_income="100")
    assert apply(api, member_of(household), "living").json()["code"] == "not_in_dibao"


def test_approval_checks_dibao_again(api_for, actors, dibao_household):
    from relief.services import dibao_case_suspend

    person = member_of(dibao_household)
    case_id = apply(api_for(actors.caseworker), person, "living").json()["id"]
    api_for(actors.reviewer).post(f"/api/v1/disability-subsidies/{case_id}/review/", {})
    dibao_case_suspend(actor=actors.approver, case=dibao_household.dibao_case, note="收入超标")
    response = api_for(actors.approver).post(f"/api/v1/disability-subsidies/{case_id}/approve/", {})
    assert (response.status_code, response.json()["code"]) == (409, "not_in_dibao")


# --- Nursing subsidy --------------------------------------------------------------------------


@pytest.mark.parametrize("grade,amount", [(1, "200.00"), (2, "120.00")])
def test_nursing_subsidy_for_grades_1_and_2_with_the_grades_amount(api_for, actors, grade, amount):
    person = make_person()  # no dibao needed
    response = apply(api_for(actors.caseworker), person, "nursing", grade=grade)
    assert response.status_code == 201, response.content
    assert response.json()["monthly_allowance"] == amount
    approved = pass_case(api_for, actors, "disability-subsidies", response.json()["id"])
    assert approved["status"] == "active"


@pytest.mark.parametrize("grade", [3, 4])
def test_nursing_subsidy_below_grade_2_is_refused(api, grade):
    person = make_person()
    response = apply(api, person, "nursing", grade=grade)
    assert response.status_code == 409
    assert response.json()["code"] == "grade_too_low"
    assert not DisabilityCertificate.objects.exists()
    assert not DisabilitySubsidyCase.objects.exists()


def test_both_subsidies_for_one_person_share_the_certificate(api, dibao_household):
    person = member_of(dibao_household)
    assert apply(api, person, "living", grade=1).status_code == 201
    assert apply(api, person, "nursing", grade=1).status_code == 201
    assert DisabilityCertificate.objects.filter(person=person).count() == 1


def test_a_second_active_subsidy_of_the_kind_is_refused_and_allowed_after_the_first_ends(api_for, actors):
    person = make_person()
    client = api_for(actors.caseworker)
    first = apply(client, person, "nursing", grade=1).json()["id"]
    pass_case(api_for, actors, "disability-subsidies", first)
    second = apply(client, person, "nursing", grade=1)
    assert (second.status_code, second.json()["code"]) == (409, "case_exists")
    api_for(actors.approver).post(f"/api/v1/disability-subsidies/{first}/terminate/", {"note": "迁出"})
    again = apply(client, person, "nursing", grade=1)
    assert again.status_code == 201
    approved = pass_case(api_for, actors, "disability-subsidies", again.json()["id"])
    assert approved["start_month"] == f"{add_months(current_month(), 1):%Y-%m}"  # when the first stops


def test_a_person_outside_ones_geography_is_not_found(api):
    person = make_person(community=OTHER_SUBDISTRICT_COMMUNITY)
    assert apply(api, person, "nursing", grade=1).status_code == 404


def test_the_list_filters_by_kind_and_status(api_for, actors, dibao_household):
    person = member_of(dibao_household)
    client = api_for(actors.caseworker)
    apply(client, person, "living", grade=1)
    apply(client, person, "nursing", grade=1)
    assert client.get("/api/v1/disability-subsidies/?kind=nursing").json()["count"] == 1
    assert client.get("/api/v1/disability-subsidies/?status=submitted").json()["count"] == 2
    assert client.get("/api/v1/disability-subsidies/?status=active").json()["count"] == 0


def test_a_subsidy_case_offers_the_benefit_case_actions_and_nothing_automatic(api):
    person = make_person()
    body = apply(api, person, "nursing", grade=1).json()
    assert body["allowed_actions"] == ["review", "reject", "withdraw"]
