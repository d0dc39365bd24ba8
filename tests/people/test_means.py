"""A household's income recorded outside any case: ``GET|POST households/{id}/means/`` (api.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from people.models import HouseholdMeans, MeansOccasion
from people.selectors import latest_means
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT, OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def _url(household) -> str:
    return f"/api/v1/households/{household.pk}/means/"


def test_recording_means_answers_201_and_the_latest_is_the_households(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=3, created_by=caseworker)
    first = api.post(_url(household), {"monthly_income": "1800.00", "as_of": "2020-03-01"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["monthly_income"] == "1800.00"
    assert first.json()["as_of"] == "2020-03-01"
    second = api.post(_url(household), {"monthly_income": "2400.50"}, format="json")
    assert second.status_code == 201
    assert second.json()["as_of"] == timezone.localdate().isoformat()  # as_of defaults to today
    assert latest_means(household=household).monthly_income == Decimal("2400.50")
    listed = api.get(_url(household)).json()
    assert [r["monthly_income"] for r in listed["results"]] == ["2400.50", "1800.00"]


def test_an_older_as_of_recorded_later_does_not_replace_the_latest(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    api.post(_url(household), {"monthly_income": "900.00", "as_of": "2020-05-01"}, format="json")
    api.post(_url(household), {"monthly_income": "500.00", "as_of": "2020-01-01"}, format="json")
    assert latest_means(household=household).monthly_income == Decimal("900.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"monthly_income": "-1"}, "monthly_income"),
        ({"monthly_income": "12.345"}, "monthly_income"),
        ({"monthly_income": "abc"}, "monthly_income"),
        ({}, "monthly_income"),
        ({"monthly_income": "100", "as_of": "2999-01-01"}, "as_of"),
        ({"monthly_income": "100", "as_of": "2020-02-30"}, "as_of"),
        ({"monthly_income": "100", "colour": "red"}, "colour"),
    ],
)
def test_bad_means_input_is_a_field_error_and_records_nothing(api, caseworker, body, field):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    response = api.post(_url(household), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not HouseholdMeans.objects.filter(household=household).exists()


def test_a_household_in_another_geography_is_404_for_reading_and_recording(api, make_staff):
    other = make_household(community=OTHER_DISTRICT_COMMUNITY, created_by=make_staff("caseworker", OTHER_SUBDISTRICT))
    assert api.get(_url(other)).status_code == 404
    assert api.post(_url(other), {"monthly_income": "100.00"}, format="json").status_code == 404
    assert not HouseholdMeans.objects.exists()


def test_a_role_without_case_work_may_not_record_means(make_staff, api_for, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    finance = make_staff("finance", "370200")  # sees households and relief, records no one's income
    response = api_for(finance).post(_url(household), {"monthly_income": "100.00"}, format="json")
    assert response.status_code == 403
    assert api_for(finance).get(_url(household)).status_code == 200
    assert not HouseholdMeans.objects.exists()


def test_a_registrar_sees_no_households_income(make_staff, api_for, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    registrar = make_staff("registrar", "370202")
    assert api_for(registrar).get(_url(household)).status_code == 403


def test_means_records_are_append_only(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    api.post(_url(household), {"monthly_income": "100.00"}, format="json")
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdMeans.objects.update(monthly_income=Decimal("1.00"))
    assert HouseholdMeans.objects.get().monthly_income == Decimal("100.00")


def test_the_household_page_records_and_shows_the_income(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    client = browser_client(caseworker)
    response = client.post(
        f"/people/households/{household.pk}/means/",
        {"means-monthly_income": "1234.00", "means-as_of": "2020-06-01", "means-occasion": "refused_application"},
    )
    assert response.status_code == 302
    page = client.get(f"/people/households/{household.pk}/").content.decode()
    assert "1234.00" in page
    with translation.override("zh-hans"):
        label = str(MeansOccasion.REFUSED_APPLICATION.label)
    assert f"<td>{label}</td>" in page  # the occasion by its label, not its token
    assert latest_means(household=household).as_of == datetime.date(2020, 6, 1)
