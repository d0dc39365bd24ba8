"""Standards with effective dates: the one selector, the admin API, refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.cases import local_today
from relief.models import Standard
from relief.selectors import small_claim_threshold, standard_for
from relief.services import standard_create, standards_seed

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_latest_entry_not_after_the_month_applies(standards):
    assert standard_for("dibao", datetime.date(2020, 3, 1), area_type="urban").amount == D("880.00")
    assert standard_for("dibao", datetime.date(2020, 4, 1), area_type="urban").amount == D("940.00")
    assert standard_for("dibao", datetime.date(2020, 3, 1), area_type="rural").amount == D("700.00")
    assert standard_for("dibao", datetime.date(2020, 4, 1), area_type="rural").amount == D("760.00")
    assert standard_for("dibao", datetime.date(2018, 12, 1), area_type="urban") is None


def test_the_annual_cap_is_shipped_with_the_portal_and_raised_in_2020(db):
    assert standard_for("temporary_relief_cap", datetime.date(2019, 12, 31)).amount == D("20000.00")
    assert standard_for("temporary_relief_cap", datetime.date(2020, 1, 1)).amount == D("30000.00")


def test_a_districts_higher_entry_applies_until_a_city_raise_passes_it(standards, admin_user):
    standard_create(
        actor=admin_user,
        scheme="dibao",
        area_type="urban",
        division="370211",
        effective_from="2019-07-01",
        amount="900.00",
    )
    community = "370211001001"
    # Before July 2019 only the city's 880 is in force; then the district's 900 is higher.
    assert standard_for("dibao", datetime.date(2019, 6, 1), area_type="urban", division=community).amount == D("880")
    assert standard_for("dibao", datetime.date(2019, 8, 1), area_type="urban", division=community).amount == D("900")
    # The city's raise to 940 in April 2020 is paid in that district too: an older, lower
    # district figure never keeps its households below the city's standard.
    assert standard_for("dibao", datetime.date(2020, 5, 1), area_type="urban", division=community).amount == D("940")
    # Other districts keep the city's standard.
    assert standard_for("dibao", datetime.date(2020, 5, 1), area_type="urban", division="370202001001").amount == D(
        "940"
    )


def test_a_district_entry_below_the_citys_never_applies(standards, admin_user):
    standard_create(
        actor=admin_user,
        scheme="dibao",
        area_type="rural",
        division="370211",
        effective_from="2021-01-01",
        amount="500",
    )
    on = datetime.date(2021, 2, 1)
    assert standard_for("dibao", on, area_type="rural", division="370211001001").amount == D("760.00")


def test_a_later_district_raise_above_the_city_applies_again(standards, admin_user):
    for day, amount in (("2019-07-01", "900.00"), ("2021-01-01", "990.00")):
        standard_create(
            actor=admin_user, scheme="dibao", area_type="urban", division="370211", effective_from=day, amount=amount
        )
    on = datetime.date(2021, 2, 1)
    assert standard_for("dibao", on, area_type="urban", division="370211001001").amount == D("990.00")


def test_the_small_claim_threshold_of_a_district_applies_even_below_the_citys(admin_user):
    standard_create(
        actor=admin_user,
        scheme="temporary_relief_small_claim",
        division="370202",
        effective_from="2020-01-01",
        amount="500",
    )
    assert small_claim_threshold("370202", local_today()) == D("500.00")


def test_small_claim_threshold_is_the_districts_or_the_city_default(admin_user):
    today = local_today()
    assert small_claim_threshold("370202", today) == D("1000.00")
    standard_create(
        actor=admin_user,
        scheme="temporary_relief_small_claim",
        division="370202",
        effective_from="2020-01-01",
        amount="3000.00",
    )
    assert small_claim_threshold("370202", today) == D("3000.00")
    assert small_claim_threshold("370203", today) == D("1000.00")


def test_seeding_twice_adds_nothing_the_second_time(db):
    standards_seed(demo=True)
    count = Standard.objects.count()
    assert standards_seed(demo=True) == 0
    assert Standard.objects.count() == count


def test_admin_adds_a_standard_through_the_api(api_for, admin_user):
    body = {"scheme": "dibao", "area_type": "urban", "effective_from": "2021-07-01", "amount": "1010.00"}
    response = api_for(admin_user).post("/api/v1/standards/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["scheme"], data["area_type"], data["division"], data["amount"]) == ("dibao", "urban", None, "1010.00")


def test_the_same_scheme_area_division_and_date_twice_is_a_409(api_for, admin_user):
    body = {
        "scheme": "temporary_relief_small_claim",
        "division": "370202",
        "effective_from": "2021-01-01",
        "amount": "2000",
    }
    client = api_for(admin_user)
    assert client.post("/api/v1/standards/", body, format="json").status_code == 201
    response = client.post("/api/v1/standards/", {**body, "amount": "2500"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_standard"
    assert Standard.objects.filter(scheme="temporary_relief_small_claim", division="370202").count() == 1


def test_a_city_wide_entry_twice_is_a_409_too(api_for, admin_user):
    body = {"scheme": "tekun_care_full", "effective_from": "2022-01-01", "amount": "250"}
    client = api_for(admin_user)
    assert client.post("/api/v1/standards/", body, format="json").status_code == 201
    assert client.post("/api/v1/standards/", body, format="json").status_code == 409


def test_a_caseworker_reads_standards_but_may_not_add_one(api, caseworker):
    assert api.get("/api/v1/standards/?scheme=temporary_relief_cap").json()["count"] == 2
    body = {"scheme": "dibao", "area_type": "urban", "effective_from": "2021-07-01", "amount": "1010.00"}
    response = api.post("/api/v1/standards/", body, format="json")
    assert response.status_code == 403
    assert not Standard.objects.filter(effective_from="2021-07-01").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheme": "dibao", "effective_from": "2021-07-01", "amount": "1000"}, "area_type"),
        ({"scheme": "dibao", "area_type": "urban", "effective_from": "2021-07-01", "amount": "-5"}, "amount"),
        ({"scheme": "dibao", "area_type": "urban", "effective_from": "2021-07-01", "amount": "lots"}, "amount"),
        (
            {
                "scheme": "dibao",
                "area_type": "urban",
                "effective_from": "2021-07-01",
                "amount": "1",
                "division": "370202001",
            },
            "division",
        ),
        ({"scheme": "nonsense", "effective_from": "2021-07-01", "amount": "1"}, "scheme"),
    ],
)
def test_bad_standard_input_is_a_field_error(api_for, admin_user, body, field):
    response = api_for(admin_user).post("/api/v1/standards/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_applicable_entry_for_a_household_and_month(api, standards):
    response = api.get("/api/v1/standards/applicable/?scheme=dibao&month=2020-04&area_type=rural&division=370202001001")
    assert response.status_code == 200
    assert response.json()["amount"] == "760.00"
    assert api.get("/api/v1/standards/applicable/?scheme=dibao&month=2010-01&area_type=rural").status_code == 404


def test_standards_keep_their_history(admin_user):
    from core.audit import history_of
    from relief.services import standard_update

    entry = standard_create(
        actor=admin_user, scheme="tekun", area_type="urban", effective_from="2023-01-01", amount="1"
    )
    standard_update(actor=admin_user, standard=entry, amount="1300.00")
    changes = [h for h in history_of(entry) if h.label == "update"]
    assert changes and changes[0].actor_id == admin_user.pk
