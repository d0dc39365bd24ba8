"""Price indices, the trigger rule with effective dates, and who gets how much."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.cases import add_months, current_month
from relief.models import DibaoCase, PriceIndex, TekunCase
from relief.selectors import price_subsidy_lines
from relief.services import price_rule_create
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db

H1_2020 = [
    ("2020-01", "5.4", "20.6"),
    ("2020-02", "5.2", "21.9"),
    ("2020-03", "4.3", "18.3"),
    ("2020-04", "3.3", "14.8"),
    ("2020-05", "2.4", "10.6"),
    ("2020-06", "2.5", "11.1"),
]


@pytest.fixture
def admin_api(api_for, admin_user):
    return api_for(admin_user)


def test_the_first_half_of_2020_triggers_in_all_six_months(admin_api):
    for month, cpi, food in H1_2020:
        response = admin_api.post(
            "/api/v1/price-indices/", {"month": month, "cpi_yoy": cpi, "food_cpi_yoy": food}, format="json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["month"], body["triggered"], body["cpi_yoy"], body["food_cpi_yoy"]) == (month, True, cpi, food)
    listing = admin_api.get("/api/v1/price-indices/?triggered=true").json()
    assert listing["count"] == 6


def test_a_month_with_cpi_2_and_food_cpi_4_does_not_trigger(admin_api):
    response = admin_api.post(
        "/api/v1/price-indices/", {"month": "2021-03", "cpi_yoy": "2.0", "food_cpi_yoy": "4.0"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["triggered"] is False
    assert response.json()["triggered_by"] == []


def test_thresholds_follow_the_rule_in_force_for_the_month(admin_api, admin_user):
    for month, cpi, food in H1_2020:
        admin_api.post("/api/v1/price-indices/", {"month": month, "cpi_yoy": cpi, "food_cpi_yoy": food}, format="json")
    price_rule_create(actor=admin_user, effective_from="2020-05-01", cpi_threshold="3.5", food_cpi_threshold="12.0")
    triggered = {d["month"]: d["triggered"] for d in admin_api.get("/api/v1/price-indices/").json()["results"]}
    assert triggered == {
        "2020-01": True,
        "2020-02": True,
        "2020-03": True,
        "2020-04": True,
        "2020-05": False,  # food 10.6 < 12.0 under the new rule
        "2020-06": False,
    }
    assert admin_api.get("/api/v1/price-indices/2020-04/").json()["rule"]["food_cpi_threshold"] == "6.0"


def test_a_month_entered_twice_is_a_409(admin_api):
    body = {"month": "2020-01", "cpi_yoy": "5.4", "food_cpi_yoy": "20.6"}
    assert admin_api.post("/api/v1/price-indices/", body, format="json").status_code == 201
    response = admin_api.post("/api/v1/price-indices/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_month"
    assert PriceIndex.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2020-13", "cpi_yoy": "1", "food_cpi_yoy": "1"}, "month"),
        ({"month": "2020-01", "cpi_yoy": "lots", "food_cpi_yoy": "1"}, "cpi_yoy"),
        ({"month": "2020-01", "cpi_yoy": "1", "food_cpi_yoy": "1.25"}, "food_cpi_yoy"),
    ],
)
def test_bad_index_input_is_a_field_error(admin_api, body, field):
    response = admin_api.post("/api/v1/price-indices/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_future_month_is_refused(admin_api):
    future = add_months(current_month(), 2)
    response = admin_api.post(
        "/api/v1/price-indices/", {"month": f"{future:%Y-%m}", "cpi_yoy": "1", "food_cpi_yoy": "1"}, format="json"
    )
    assert response.status_code == 400


def test_a_caseworker_reads_indices_but_may_not_enter_them(api):
    response = api.post(
        "/api/v1/price-indices/", {"month": "2020-01", "cpi_yoy": "5.4", "food_cpi_yoy": "20.6"}, format="json"
    )
    assert response.status_code == 403
    assert api.get("/api/v1/price-indices/").status_code == 200


def test_covered_persons_get_the_standard_times_the_cpi_rise(admin_api, caseworker, standards):
    household = make_household(community=OWN_COMMUNITY, members=3, area_type="urban", created_by=caseworker)
    dibao = DibaoCase.objects.create(household=household, monthly_income=0, members_count=3, created_by=caseworker)
    for m in household.members.all():
        dibao.members.create(person=m.person, relationship=m.relationship)
    DibaoCase.objects.filter(pk=dibao.pk).update(status="active", start_month=datetime.date(2019, 12, 1))
    loner = make_household(community="370202002001", area_type="rural", created_by=caseworker).head
    TekunCase.objects.create(
        person=loner,
        care_level="full",
        placement="home",
        area_type="rural",
        created_by=caseworker,
        status="active",
        start_month=datetime.date(2019, 1, 1),
    )
    ended = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    old = DibaoCase.objects.create(household=ended, monthly_income=0, members_count=1, created_by=caseworker)
    old.members.create(person=ended.head, relationship="head")
    DibaoCase.objects.filter(pk=old.pk).update(
        status="terminated", start_month=datetime.date(2019, 1, 1), end_month=datetime.date(2020, 1, 1)
    )
    admin_api.post(
        "/api/v1/price-indices/", {"month": "2020-01", "cpi_yoy": "5.4", "food_cpi_yoy": "20.6"}, format="json"
    )
    admin_api.post(
        "/api/v1/price-indices/", {"month": "2020-05", "cpi_yoy": "2.4", "food_cpi_yoy": "10.6"}, format="json"
    )
    january = list(price_subsidy_lines(datetime.date(2020, 1, 1)))
    assert sorted((line.group, line.amount) for line in january) == [
        ("dibao", Decimal("47.52")),  # 880 × 5.4%
        ("dibao", Decimal("47.52")),
        ("dibao", Decimal("47.52")),
        ("tekun", Decimal("37.80")),  # rural 700 × 5.4%
    ]
    may = {line.group: line.amount for line in price_subsidy_lines(datetime.date(2020, 5, 1))}
    assert may == {"dibao": Decimal("22.56"), "tekun": Decimal("18.24")}  # 940 × 2.4%, 760 × 2.4%
    index = PriceIndex.objects.get(month="2020-01-01")
    summary = admin_api.get(f"/api/v1/price-indices/{index.pk}/subsidy/")
    assert summary.status_code == 403  # an administrator does not see who is covered
    from tests.conftest import api_client_for

    body = api_client_for(caseworker).get(f"/api/v1/price-indices/{index.pk}/subsidy/").json()
    assert (body["persons"], body["total"], body["triggered"]) == (4, "180.36", True)


def test_a_month_that_does_not_trigger_pays_no_one(admin_api, standards):
    admin_api.post(
        "/api/v1/price-indices/", {"month": "2021-03", "cpi_yoy": "2.0", "food_cpi_yoy": "4.0"}, format="json"
    )
    assert list(price_subsidy_lines(datetime.date(2021, 3, 1))) == []
    assert list(price_subsidy_lines(datetime.date(2021, 4, 1))) == []
