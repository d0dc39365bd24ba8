"""The low-income population by tier: ``GET low-income/?tier=…`` and ``POST households/{id}/expenses/`` (api.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from core.money import money_str
from monitoring.models import HouseholdExpense
from monitoring.selectors import low_income_list
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household
from tests.monitoring.conftest import MONTH, active_dibao, active_tekun, record_means

pytestmark = pytest.mark.django_db


def _tier(api, tier, month=MONTH):
    response = api.get(f"/api/v1/low-income/?tier={tier}&month={month}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _heads(rows):
    return {r["person"] for r in rows}


def _expense(api, household, **body):
    return api.post(f"/api/v1/households/{household.pk}/expenses/", body, format="json")


# --- marginal: above the standard, at most 1.5 times it ------------------------------------------


@pytest.mark.parametrize(
    ("income", "marginal"),
    [
        ("1880.00", False),  # exactly the standard (2 × 940): not above it
        ("1880.01", True),  # just above
        ("2820.00", True),  # exactly 1.5 times (2 × 1410)
        ("2820.01", False),  # just above 1.5 times
    ],
)
def test_marginal_boundaries(api, caseworker, income, marginal):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, income)
    rows = _tier(api, "marginal")
    assert (household.head_id in _heads(rows)) is marginal
    if marginal:
        assert len(rows) == 2  # both members
        row = next(r for r in rows if r["person"] == household.head_id)
        assert row["household"] == household.pk
        assert row["tiers"] == ["marginal"]
        assert row["standard"] == "940.00"
        assert row["per_capita_income"] == money_str(Decimal(income) / 2)  # half up: 940.005 → 940.01
        assert "id_number" not in row and row["id_number_masked"].count("*") >= 8


def test_a_household_in_dibao_is_not_marginal_but_dibao(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, "2000.00")
    assert household.head_id in _heads(_tier(api, "marginal"))
    active_dibao(household)
    assert household.head_id not in _heads(_tier(api, "marginal"))
    dibao = _tier(api, "dibao")
    assert _heads(dibao) == {m.person_id for m in household.members.all()}
    assert dibao[0]["tiers"] == ["dibao"]


def test_a_tekun_person_is_in_tekun_not_marginal(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, "2000.00")
    active_tekun(household.head)
    assert household.head_id not in _heads(_tier(api, "marginal"))
    assert _heads(_tier(api, "tekun")) == {household.head_id}


def test_the_latest_income_counts_and_an_income_recorded_after_the_month_does_not(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "500.00", as_of=datetime.date(2020, 1, 1))
    record_means(household, "1000.00", as_of=datetime.date(2020, 5, 1))  # 940 < 1000 ≤ 1410
    record_means(household, "3000.00", as_of=datetime.date(2020, 7, 1))  # after June
    assert household.head_id in _heads(_tier(api, "marginal", "2020-06"))
    assert household.head_id not in _heads(_tier(api, "marginal", "2020-07"))


def test_the_standard_is_the_one_in_force_in_the_month(api, caseworker):
    """1000 a person: marginal under 940 (June 2020); under 880 (March 2020) 1000 ≤ 1320 too; 1350 only in June."""
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "1350.00", as_of=datetime.date(2020, 1, 1))
    assert household.head_id in _heads(_tier(api, "marginal", "2020-06"))  # ≤ 1410
    assert household.head_id not in _heads(_tier(api, "marginal", "2020-03"))  # > 1320


def test_a_member_dead_before_the_month_does_not_count_for_per_capita_income(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=3, created_by=caseworker)
    record_means(household, "2000.00")  # 666.67 a person for three: under the standard; 1000 for two
    assert household.head_id not in _heads(_tier(api, "marginal"))
    child = household.members.exclude(relationship="head").first().person
    child.death_date = datetime.date(2020, 4, 1)
    child.save()
    rows = _tier(api, "marginal")
    assert household.head_id in _heads(rows)
    assert child.pk not in _heads(rows)


# --- expenditure: rigid expenses push per-capita income under the standard ------------------------


def test_an_expense_that_just_tips_the_household_under_the_standard(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, "2000.00")  # 1000 a person
    assert _expense(api, household, kind="medical", month=MONTH, amount="120.00").status_code == 201
    assert household.head_id not in _heads(_tier(api, "expenditure"))  # 1880 / 2 = 940: not under
    assert _expense(api, household, kind="education", month=MONTH, amount="0.01").status_code == 201
    rows = _tier(api, "expenditure")
    assert household.head_id in _heads(rows)  # 1879.99 / 2 < 940
    row = next(r for r in rows if r["person"] == household.head_id)
    assert row["rigid_expenses"] == "120.01"
    assert row["per_capita_after_expenses"] == "940.00"  # 939.995 rounded half up; the comparison is exact
    assert set(row["tiers"]) == {"marginal", "expenditure"}


def test_other_expenses_and_other_months_do_not_count(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "1000.00")
    _expense(api, household, kind="other", month=MONTH, amount="500.00")
    _expense(api, household, kind="medical", month="2020-05", amount="500.00")
    assert household.head_id not in _heads(_tier(api, "expenditure"))
    _expense(api, household, kind="medical", month=MONTH, amount="500.00")
    assert household.head_id in _heads(_tier(api, "expenditure"))


def test_a_household_already_under_the_standard_or_in_dibao_is_not_expenditure(api, caseworker):
    poor = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(poor, "900.00")  # under 940 before any expense
    _expense(api, poor, kind="medical", month=MONTH, amount="100.00")
    covered = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(covered, "1000.00")
    _expense(api, covered, kind="medical", month=MONTH, amount="500.00")
    active_dibao(covered)
    heads = _heads(_tier(api, "expenditure"))
    assert poor.head_id not in heads
    assert covered.head_id not in heads


# --- scope ------------------------------------------------------------------------------------------


def test_the_list_is_scoped(api, caseworker, district_approver, api_for):
    own = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    neighbour = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1, created_by=caseworker)
    elsewhere = make_household(community=OTHER_DISTRICT_COMMUNITY, members=1, created_by=caseworker)
    for household in (own, neighbour, elsewhere):
        record_means(household, "1000.00")
    assert _heads(_tier(api, "marginal")) == {own.head_id}
    assert _heads(_tier(api_for(district_approver), "marginal")) == {own.head_id, neighbour.head_id}
    assert low_income_list(user=district_approver, tier="marginal", month=datetime.date(2020, 6, 1)).count() == 2


def test_without_a_tier_every_tier_is_listed(api, caseworker):
    marginal = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(marginal, "1000.00")
    covered = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    active_dibao(covered)
    rows = api.get(f"/api/v1/low-income/?month={MONTH}").json()["results"]
    assert {r["person"]: r["tiers"] for r in rows} == {marginal.head_id: ["marginal"], covered.head_id: ["dibao"]}


def test_low_income_refusals(api, api_for, make_staff):
    assert api.get("/api/v1/low-income/?tier=rich").status_code == 400
    assert api.get("/api/v1/low-income/?tier=marginal&month=2020-13").status_code == 400
    assert api_for(make_staff("registrar", "370202")).get("/api/v1/low-income/").status_code == 403
    assert api_for(make_staff("finance", "370200")).get("/api/v1/low-income/").status_code == 403


def test_a_leader_sees_the_whole_city(api_for, make_staff, caseworker):
    elsewhere = make_household(community=OTHER_DISTRICT_COMMUNITY, members=1, created_by=caseworker)
    record_means(elsewhere, "1000.00")
    leader = make_staff("leader", "370200")
    assert _heads(_tier(api_for(leader), "marginal")) == {elsewhere.head_id}


# --- recording expenses -----------------------------------------------------------------------------


def test_recording_an_expense(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    response = _expense(api, household, kind="medical", month="2020-06", amount="1200.50", note="住院")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "medical" and body["month"] == "2020-06" and body["amount"] == "1200.50"
    with translation.override("zh-hans"):
        assert api.get(f"/api/v1/households/{household.pk}/expenses/").json()["results"][0]["kind_label"] == "医疗支出"
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdExpense.objects.filter(pk=body["id"]).update(amount=Decimal("1.00"))  # append-only


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "food", "month": "2020-06", "amount": "10"}, "kind"),
        ({"kind": "medical", "month": "2020-6-1", "amount": "10"}, "month"),
        ({"kind": "medical", "month": "2999-01", "amount": "10"}, "month"),
        ({"kind": "medical", "month": "2020-06", "amount": "0"}, "amount"),
        ({"kind": "medical", "month": "2020-06", "amount": "-5"}, "amount"),
        ({"kind": "medical", "month": "2020-06"}, "amount"),
        ({"kind": "medical", "month": "2020-06", "amount": "10", "colour": "red"}, "colour"),
    ],
)
def test_bad_expense_input_is_a_field_error_and_records_nothing(api, caseworker, body, field):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    response = _expense(api, household, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not HouseholdExpense.objects.exists()


def test_expense_refusals_wrong_role_403_other_geography_404(api, caseworker, api_for, make_staff):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    neighbour = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, created_by=caseworker)
    leader = api_for(make_staff("leader", "370200"))
    body = {"kind": "medical", "month": "2020-06", "amount": "10"}
    assert leader.post(f"/api/v1/households/{household.pk}/expenses/", body, format="json").status_code == 403
    assert leader.get(f"/api/v1/households/{household.pk}/expenses/").status_code == 200
    registrar = api_for(make_staff("registrar", "370202"))
    assert registrar.get(f"/api/v1/households/{household.pk}/expenses/").status_code == 403
    assert _expense(api, neighbour, **body).status_code == 404
    assert api.get(f"/api/v1/households/{neighbour.pk}/expenses/").status_code == 404
    assert not HouseholdExpense.objects.exists()
