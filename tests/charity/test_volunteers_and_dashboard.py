"""Volunteers from the platform's extract (through imports/), and the dashboard's new figures."""

from __future__ import annotations

import datetime

import pytest

from charity import services as charity_services
from charity.models import VolunteerCount
from elderly import services as elderly_services
from tests.imports.conftest import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADINGS = ["区市代码", "统计日期", "注册志愿者人数"]


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", "370200")


def _import(api, rows):
    job = upload(api, csv_bytes(rows, HEADINGS), kind="volunteers", name="volunteers.csv")
    assert job.status_code == 202, job.json()
    return api.get(f"/api/v1/imports/{job.json()['id']}/").json()


def test_the_extract_is_previewed_then_committed_and_a_second_one_replaces_the_date(api_for, admin):
    api = api_for(admin)
    report = _import(api, [["370202", "2020-06-30", "120000"], ["370203", "2020-06-30", "12620"]])
    assert report["status"] == "previewed" and report["to_create"] == 2 and report["errors"] == []
    assert api.post(f"/api/v1/imports/{report['id']}/commit/").json()["status"] == "committed"
    assert VolunteerCount.objects.get(district_id="370202").registered == 120000
    again = _import(api, [["370202", "2020-06-30", "120500"]])
    assert again["to_update"] == 1 and again["to_create"] == 0
    api.post(f"/api/v1/imports/{again['id']}/commit/")
    assert VolunteerCount.objects.get(district_id="370202").registered == 120500


def test_bad_rows_reject_the_extract_and_nothing_is_written(api_for, admin):
    api = api_for(admin)
    report = _import(
        api,
        [
            ["370202001", "2020-06-30", "10"],
            ["370203", "2020-13-01", "10"],
            ["370211", "2020-06-30", "很多"],
            ["370212", "2020-06-30", "5"],
            ["370212", "2020-06-30", "6"],
        ],
    )
    assert report["status"] == "rejected"
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (2, "district"),
        (3, "as_of"),
        (4, "registered"),
        (6, "district"),
    }
    assert api.post(f"/api/v1/imports/{report['id']}/commit/").status_code == 409
    assert not VolunteerCount.objects.exists()


def test_a_district_outside_ones_area_is_refused(api_for, make_staff):
    district_staff = make_staff("district_approver", "370202")
    report = _import(api_for(district_staff), [["370203", "2020-06-30", "10"]])
    assert report["status"] == "rejected" and report["errors"][0]["field"] == "district"


def test_the_dashboard_shows_centres_visits_donations_and_volunteers(api_for, admin, make_staff, make_org):
    approver = make_staff("district_approver", "370202")
    day = datetime.date(2020, 3, 10)
    for i in range(3):
        elderly_services.centre_create(
            actor=approver, name=f"中心{i}", subdistrict="370202001", site_chosen_on=day, today=day
        )
    centre = elderly_services.centre_create(
        actor=approver,
        name="中心X",
        subdistrict="370202002",
        stage="built",
        operator="某公司",
        site_chosen_on=datetime.date(2019, 5, 1),
        operator_contracted_on=datetime.date(2020, 2, 1),
        built_on=datetime.date(2020, 5, 1),
        today=datetime.date(2020, 6, 30),
    )
    assert centre.status == "built"
    officer = make_staff("socialorg_officer", "370200")
    donation = charity_services.donation_record(
        actor=officer,
        donor="某集团",
        recipient_org=make_org(),
        kind="money",
        amount="5000",
        custodian="某会",
        received_on=datetime.date(2020, 2, 1),
    )
    charity_services.use_record(
        actor=officer, donation=donation, used_on=datetime.date(2020, 4, 1), purpose="慰问", amount="1200"
    )
    VolunteerCount.objects.create(
        district_id="370202", as_of=datetime.date(2020, 3, 31), registered=1000, imported_by=admin
    )
    VolunteerCount.objects.create(
        district_id="370202", as_of=datetime.date(2020, 6, 30), registered=1500, imported_by=admin
    )
    VolunteerCount.objects.create(
        district_id="370203", as_of=datetime.date(2020, 6, 30), registered=700, imported_by=admin
    )
    leader = api_for(make_staff("leader", "370200"))
    summary = leader.get("/api/v1/dashboard/summary/?from=2020-01&to=2020-06").json()
    assert summary["elderly_care"]["sites_chosen"] == 3
    assert summary["elderly_care"]["operators_contracted"] == 1 and summary["elderly_care"]["built"] == 1
    assert summary["charity"] == {"donations": 1, "amount": "5000.00", "used": "1200.00"}
    assert summary["volunteers"] == 2200
    months = {row["month"]: row["n"] for row in summary["series"]["volunteers"]["by_month"]}
    assert months["2020-02"] == 0 and months["2020-03"] == 1000 and months["2020-06"] == 2200
    by_district = {row["code"]: row["n"] for row in summary["series"]["volunteers"]["by_division"]}
    assert by_district["370202"] == 1500 and by_district["370203"] == 700
    march = leader.get("/api/v1/dashboard/summary/?from=2020-01&to=2020-03").json()
    assert march["volunteers"] == 1000 and march["charity"]["used"] == "0.00"
    district = api_for(approver).get("/api/v1/dashboard/summary/?from=2020-01&to=2020-06").json()
    assert district["volunteers"] == 1500 and district["elderly_care"]["sites_chosen"] == 3
